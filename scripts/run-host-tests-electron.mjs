// The same extension-host suites under @vscode/test-electron, for machines that can download VS Code
// (a desktop, or CI elsewhere). Here only the npm and Debian registries are reachable, so `npm test` runs
// the suites inside code-server instead (scripts/run-host-tests.mjs).
// Usage: node scripts/run-host-tests-electron.mjs [--suite main] [--version 1.100.3]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runTests } from '@vscode/test-electron';
import { ROOT } from './lib/codeServer.mjs';

const { values } = parseArgs({ options: { suite: { type: 'string', default: 'main' }, version: { type: 'string', default: '1.100.3' } } });
const workspace = mkdtempSync(join(tmpdir(), 'concurrency-labs-electron-'));
try {
  await runTests({
    version: values.version,
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: join(ROOT, 'out', 'test', 'host', 'index.js'),
    launchArgs: [workspace, '--disable-workspace-trust', '--disable-extensions'],
    extensionTestsEnv: { CONCURRENCY_LABS_TEST_SUITE: values.suite },
  });
} catch (error) {
  console.error(`extension-host suite "${values.suite}" failed: ${error.message ?? error}`);
  process.exit(1);
}
