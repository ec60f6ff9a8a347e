// One VS Code as a learner gets it: the packaged VSIX installed into a private code-server with
// --install-extension, a fresh empty workspace, and Debian's Chromium driven by playwright-core.
// The launcher itself is scripts/lib/codeServer.mjs; this only arranges the folders around it.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, QUIET_OFFLINE_SETTINGS, ROOT, ensureCodeServer, freePort, installVsix, startCodeServer } from '../../../scripts/lib/codeServer.mjs';

/** Big enough for the Labs view, an editor and a preview side by side, small enough for a README image. */
export const VIEWPORT = { width: 1440, height: 900 };
/** A cold workbench took ~7.5 s here; a loaded machine can take several times that. */
const WORKBENCH_TIMEOUT_MS = 90_000;

/** Builds the VSIX with scripts/package.mjs and copies it aside, so another build cannot swap it mid-run. */
export function packageVsix(scratch) {
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'package.mjs')], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
  if (result.status !== 0) {
    throw new Error(`packaging the extension failed (node scripts/package.mjs):\n${result.stdout}\n${result.stderr}`);
  }
  const built = result.stdout.trim().split('\n').pop();
  const vsix = join(scratch, 'concurrency-labs.vsix');
  copyFileSync(built, vsix);
  return vsix;
}

/**
 * Starts code-server on loopback with the VSIX installed and opens the workspace in Chromium.
 * `trusted: false` leaves Workspace Trust on, so the folder opens in Restricted Mode.
 * Returns { page, workspace, url, close(), serverLog(), offLoopback() }.
 */
export async function openVsCode({ scratch, name, vsix, trusted = true, settings = {} }) {
  const home = join(scratch, name);
  const workspace = join(home, 'workspace');
  const userDataDir = join(home, 'user-data');
  const extensionsDir = join(home, 'extensions');
  mkdirSync(workspace, { recursive: true });
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify(
      {
        // Also keeps the first-run chat and walkthrough panels off the views this scenario looks at.
        ...QUIET_OFFLINE_SETTINGS,
        'security.workspace.trust.enabled': !trusted,
        ...settings,
      },
      null,
      2,
    ),
  );
  const entry = ensureCodeServer();
  installVsix(entry, vsix, extensionsDir, userDataDir);

  let log = '';
  const offLoopback = [];
  const server = await startCodeServer({
    entry,
    port: await freePort(),
    userDataDir,
    extensionsDir,
    trust: trusted,
    log: (text) => (log += text),
  });
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
    // Loopback only: anything else the workbench asks for is refused and reported by the caller.
    await context.route(/^(https?|wss?):/, (route) => {
      const { hostname } = new URL(route.request().url());
      if (hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]') {
        return route.continue();
      }
      offLoopback.push(route.request().url());
      return route.abort('blockedbyclient');
    });
    // Clipboard access lets the scenario paste a fix the way a learner pastes from the instructions.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const page = await context.newPage();
    // No action may wait longer than this unless it says so; the scenario's own waits name what they wait for.
    page.setDefaultTimeout(15_000);
    const url = `${server.url}?folder=${encodeURIComponent(workspace)}`;
    await page.goto(url, { timeout: WORKBENCH_TIMEOUT_MS });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: WORKBENCH_TIMEOUT_MS });
    // The activity bar is the last part the workbench restores; until then clicks can land nowhere.
    await page.locator('.activitybar .action-item').first().waitFor({ state: 'visible', timeout: WORKBENCH_TIMEOUT_MS });
    return {
      page,
      workspace,
      url,
      serverLog: () => log,
      /** Requests for addresses other than loopback that the browser made (and that were refused). */
      offLoopback: () => [...offLoopback],
      close: async () => {
        await browser.close().catch(() => {});
        server.stop();
      },
    };
  } catch (error) {
    await browser?.close().catch(() => {});
    server.stop();
    throw error;
  }
}
