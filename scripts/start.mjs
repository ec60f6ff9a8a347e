// `npm start`: the one command that sets up and runs the product on a fresh machine. Installs what is
// missing (npm packages, code-server and the Debian packages it needs), builds and packages the VSIX,
// installs it into a private extensions folder, opens a fresh workspace in VS Code (code-server) on
// 127.0.0.1 and prints the URL. Ctrl-C stops it.
// Options: --port N (default: a free port) · --workspace DIR (default: a new folder under .vscode-test/)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { QUIET_OFFLINE_SETTINGS, ROOT, ensureCodeServer, freePort, installVsix, startCodeServer } from './lib/codeServer.mjs';

const { values } = parseArgs({ options: { port: { type: 'string' }, workspace: { type: 'string' } } });

function step(message) {
  console.log(`\n▶ ${message}`);
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\n✗ ${command} ${args.join(' ')} failed (exit ${result.status}).`);
    process.exit(1);
  }
}

if (!existsSync(join(ROOT, 'node_modules', '.bin', 'vsce'))) {
  step('Installing npm packages');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

step('Building and packaging the extension');
const packaged = spawnSync(process.execPath, [join(ROOT, 'scripts', 'package.mjs')], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (packaged.status !== 0) {
  process.stdout.write(packaged.stdout ?? '');
  console.error('\n✗ packaging failed');
  process.exit(1);
}
const vsix = packaged.stdout.trim().split('\n').pop();
console.log(`  ${vsix}`);

step('Installing VS Code (code-server) if missing');
const entry = ensureCodeServer();

const home = join(ROOT, '.vscode-test', 'start');
const userDataDir = join(home, 'user-data');
const extensionsDir = join(home, 'extensions');
mkdirSync(join(userDataDir, 'User'), { recursive: true });
const settings = join(userDataDir, 'User', 'settings.json');
// Rewritten each start so an older folder gets the loopback-only settings too; the learner's own changes
// to other settings are kept.
const current = existsSync(settings) ? JSON.parse(readFileSync(settings, 'utf8') || '{}') : {};
writeFileSync(settings, JSON.stringify({ ...current, ...QUIET_OFFLINE_SETTINGS }, null, 2));

step('Installing the extension into a private extensions folder');
installVsix(entry, vsix, extensionsDir, userDataDir);

const workspace = values.workspace ? resolve(values.workspace) : join(home, `workspace-${new Date().toISOString().replace(/[:.]/g, '-')}`);
mkdirSync(workspace, { recursive: true });

step('Starting VS Code');
const port = values.port ? Number(values.port) : await freePort();
const server = await startCodeServer({ entry, port, userDataDir, extensionsDir, workspace });
const url = `${server.url}?folder=${encodeURIComponent(workspace)}`;
console.log(`\n✓ Concurrency Labs is running in VS Code at\n\n    ${url}\n\nOpen it in a browser, then click the Concurrency Labs icon in the activity bar.`);
console.log(`Workspace: ${workspace}\nPress Ctrl-C to stop.`);

const stop = () => {
  server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.child.on('exit', (code) => {
  console.log(`code-server exited (${code})`);
  process.exit(code ?? 0);
});
