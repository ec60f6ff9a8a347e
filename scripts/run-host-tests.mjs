// Runs an extension-host mocha suite (out/test/host/<suite>/) inside a real VS Code: code-server's
// extension host, opened by Debian's Chromium with the `payload` recipe of real-vscode-offline.md.
// Usage: node scripts/run-host-tests.mjs [--suite main] [--untrusted] [--timeout 300]
// Prints each test, then `N passed, N failed`; exit 0 only when the suite ran and every test passed.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, QUIET_OFFLINE_SETTINGS, ROOT, ensureCodeServer, freePort, startCodeServer } from './lib/codeServer.mjs';

const { values } = parseArgs({
  options: {
    suite: { type: 'string', default: 'main' },
    untrusted: { type: 'boolean', default: false },
    timeout: { type: 'string', default: '300' },
  },
});

const suiteDir = join(ROOT, 'out', 'test', 'host', values.suite);
if (!existsSync(suiteDir) || !existsSync(join(ROOT, 'dist', 'extension.js'))) {
  console.error(`missing ${suiteDir} or dist/extension.js: run \`npm run compile-tests && npm run build\` first`);
  process.exit(2);
}

const entry = ensureCodeServer();
const scratch = mkdtempSync(join(tmpdir(), `concurrency-labs-host-${values.suite}-`));
const workspace = join(scratch, 'workspace');
const userDataDir = join(scratch, 'user-data');
mkdirSync(workspace);
mkdirSync(join(userDataDir, 'User'), { recursive: true });
// Quiet the workbench: no welcome page, no trust prompt beyond what the suite asks for.
writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_OFFLINE_SETTINGS, 'security.workspace.trust.enabled': values.untrusted }));
// Extensions a suite runs beside, installed as a user installs them. (The web workbench keeps one
// extensionDevelopmentPath only: its payload is read into a Map.)
const COMPANIONS = {
  'python-extension': ['python-extension-double'],
};
for (const fixture of COMPANIONS[values.suite] ?? []) {
  const folder = join(ROOT, 'test', 'host', 'fixtures', fixture);
  const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
  cpSync(folder, join(scratch, 'extensions', `${manifest.publisher}.${manifest.name}-${manifest.version}`), { recursive: true });
}
const resultsFile = join(scratch, 'results.json');
const port = await freePort();
let serverLog = '';
const server = await startCodeServer({
  entry,
  port,
  userDataDir,
  extensionsDir: join(scratch, 'extensions'),
  trust: !values.untrusted,
  env: { CONCURRENCY_LABS_TEST_RESULTS: resultsFile, CONCURRENCY_LABS_TEST_SUITE: values.suite },
  log: (text) => (serverLog += text),
});

const remote = (path) => `vscode-remote://127.0.0.1:${port}${path}`;
const payload = [
  ['extensionDevelopmentPath', remote(ROOT)],
  ['extensionTestsPath', remote(join(ROOT, 'out', 'test', 'host', 'index.js'))],
];
const url = `${server.url}?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
let summary;
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(url);
  const deadline = Date.now() + Number(values.timeout) * 1000;
  while (!existsSync(resultsFile) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (existsSync(resultsFile)) {
    summary = JSON.parse(readFileSync(resultsFile, 'utf8'));
  } else {
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    const shot = join(ROOT, 'test-results', `host-${values.suite}-timeout.png`);
    await page.screenshot({ path: shot });
    console.error(`the extension-host suite "${values.suite}" did not report within ${values.timeout} s (screenshot: ${shot})`);
    console.error(serverLog.split('\n').slice(-40).join('\n'));
  }
} finally {
  await browser.close();
  server.stop();
}

if (!summary) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
for (const test of summary.tests) {
  const mark = test.state === 'passed' ? '✓' : test.state === 'failed' ? '✗' : '-';
  console.log(`${mark} ${test.title}${test.durationMs !== undefined ? ` (${test.durationMs} ms)` : ''}`);
  if (test.error) {
    console.log(test.error.split('\n').map((line) => `    ${line}`).join('\n'));
  }
}
const failed = summary.tests.filter((test) => test.state === 'failed').length;
const passed = summary.tests.filter((test) => test.state === 'passed').length;
if (passed + failed === 0) {
  console.log('the suite ran no test');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
