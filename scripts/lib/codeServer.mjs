// Starting code-server (VS Code 1.100 in a browser) on loopback, for `npm start` and the test suites.
// See ../shared/docs/real-vscode-offline.md for why code-server and not a downloaded VS Code.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Installs code-server into the machine-wide cache when missing; returns the path of its entry.js. */
export function ensureCodeServer() {
  const result = spawnSync('bash', [join(ROOT, 'scripts', 'setup-code-server.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.status !== 0) {
    throw new Error('could not install code-server (see the messages above)');
  }
  return result.stdout.trim().split('\n').pop();
}

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** Installs a VSIX into an extensions folder, exactly as `code --install-extension` does. */
export function installVsix(entry, vsix, extensionsDir, userDataDir) {
  const result = spawnSync(process.execPath, [entry, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix, '--force'], {
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`installing ${vsix} failed:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

async function waitForHttp(url, timeoutMs, child) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`code-server exited with code ${child.exitCode}`);
    }
    try {
      const response = await fetch(url);
      if (response.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer at ${url} within ${timeoutMs / 1000} s`);
}

/**
 * Starts code-server bound to 127.0.0.1 and resolves once it answers HTTP.
 * Returns { url, port, child, stop }. `trust: false` leaves Workspace Trust on (Restricted Mode tests).
 */
export async function startCodeServer({ entry, port, userDataDir, extensionsDir, workspace, trust = true, env = {}, log = () => {} }) {
  const args = [
    entry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    ...(trust ? ['--disable-workspace-trust'] : []),
    ...(workspace ? [workspace] : []),
  ];
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
  child.stdout.on('data', (chunk) => log(chunk.toString()));
  child.stderr.on('data', (chunk) => log(chunk.toString()));
  const url = `http://127.0.0.1:${port}/`;
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  };
  try {
    await waitForHttp(`${url}healthz`, 60000, child);
  } catch (error) {
    stop();
    throw error;
  }
  return { url, port, child, stop };
}

/**
 * User settings for every code-server this project starts: a quiet first start, and loopback only — no
 * marketplace queries for updates, recommendations or experiments (code-server otherwise asks one at
 * start-up), no telemetry.
 */
export const QUIET_OFFLINE_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'chat.commandCenter.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.enableExperiments': false,
  'update.mode': 'none',
};

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
