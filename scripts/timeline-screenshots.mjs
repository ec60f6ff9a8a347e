// Screenshots of the run timeline in a real VS Code (code-server + the packaged VSIX + Debian's Chromium),
// clicked through as a learner would: the thread-pool lab's Check (one lane per worker, overlapping
// downloads), the race lab's failing Check (its lost updates), and Compare (the sequential downloader
// above the thread pool). Writes test-results/timeline-screenshots/*.png; each step asserts what the
// panel drew. Usage: node scripts/timeline-screenshots.mjs [--out DIR]
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openVsCode, packageVsix } from '../test/e2e/lib/session.mjs';
import * as ui from '../test/e2e/lib/workbench.mjs';
import { ROOT } from './lib/codeServer.mjs';

const { values } = parseArgs({ options: { out: { type: 'string', default: join(ROOT, 'test-results', 'timeline-screenshots') } } });
mkdirSync(values.out, { recursive: true });

const title = (id) => JSON.parse(readFileSync(join(ROOT, 'labs', id, 'lab.json'), 'utf8')).title;
const cli = (...args) => {
  const result = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), ...args], { encoding: 'utf8' });
  return result;
};

const scratch = mkdtempSync(join(tmpdir(), 'concurrency-labs-shots-'));
const vsix = packageVsix(scratch);
const session = await openVsCode({ scratch, name: 'shots', vsix });
const { page, workspace } = session;
const results = [];

/** The learner's copy of a lab with the reference solution typed in (as if they had solved it). */
function solved(id) {
  cli('start', id, '--dir', workspace);
  cpSync(join(ROOT, 'labs', id, 'solution'), join(workspace, 'concurrency-labs', id), { recursive: true });
}

/** The text of the timeline panel (its body carries data-state; the Markdown preview's does not). */
async function timelineText() {
  const body = await ui.inWebview(page, 'body[data-state]');
  return body ? ui.plain(await body.innerText()) : undefined;
}

async function checkFromPalette(id) {
  await ui.clearNotifications(page);
  // Two flags labs both edit flags.py: with one lab's editors open, the next tab would be ambiguous.
  await ui.runCommand(page, 'View: Close All Editors');
  await ui.runCommand(page, 'Concurrency Labs: Start Lab');
  const input = await ui.visible(page.locator('.quick-input-widget .quick-input-box input'), 'the lab picker');
  await input.fill(title(id));
  await ui.visible(page.locator(`.quick-input-list .monaco-list-row[aria-label^=${ui.attribute(title(id))}]`), `"${title(id)}" in the lab picker`);
  await page.keyboard.press('Enter');
  const entry = JSON.parse(readFileSync(join(ROOT, 'labs', id, 'lab.json'), 'utf8')).entry;
  await ui.visible(ui.tab(page, entry), `the ${entry} editor`, ui.LONG_MS);
  await ui.runCommand(page, 'Concurrency Labs: Check Lab');
  await ui.visible(page.locator('.tabs-container .tab[aria-label^="Timeline"]'), 'the timeline tab', ui.LONG_MS);
  await ui.waitUntil(`the timeline of ${title(id)}`, async () => (await timelineText())?.includes(title(id)), ui.LONG_MS);
}

async function shotWide(name) {
  await (await ui.visible(page.locator('.tabs-container .tab[aria-label^="Timeline"]'), 'the timeline tab')).click();
  await ui.runCommand(page, 'View: Maximize Editor Group and Hide Side Bars');
  await page.waitForTimeout(600);
  await ui.clearNotifications(page);
  const file = join(values.out, `${name}.png`);
  await page.screenshot({ path: file });
  await ui.runCommand(page, 'View: Toggle Maximize Editor Group');
  return file;
}

async function step(name, body) {
  try {
    const detail = await body();
    results.push({ name, ok: true });
    console.log(`✓ ${name}${detail ? ` — ${detail}` : ''}`);
  } catch (error) {
    results.push({ name, ok: false });
    console.log(`✗ ${name}: ${error.message}`);
    await page.screenshot({ path: join(values.out, `failed-${name.replace(/\W+/g, '-')}.png`) }).catch(() => {});
  }
}

try {
  // The extension is ready once its view opens, as a learner would find it.
  await ui.openActivity(page, 'Concurrency Labs');
  solved('flags-threadpool');
  solved('flags-sequential');
  cli('start', 'thread-race', '--dir', workspace);

  await step('thread pool: one lane per worker, downloads overlapping', async () => {
    await checkFromPalette('flags-threadpool');
    const text = await timelineText();
    const threads = Number(/(\d+) threads at once/.exec(text)?.[1] ?? 0);
    const peak = Number(/peak in flight: (\d+)/.exec(text)?.[1] ?? 0);
    const summary = /wall time[^\n]*/.exec(text)?.[0];
    ui.expect(threads >= 3, `expected the main thread and two or more worker lanes, the summary says: ${summary}`);
    ui.expect(peak >= 2, `expected overlapping downloads (peak in flight ≥ 2), the summary says: ${summary}`);
    return `${summary} → ${await shotWide('01-threadpool')}`;
  });

  await step('thread race starter: lost updates marked', async () => {
    await checkFromPalette('thread-race');
    const text = await timelineText();
    ui.expect(/lost update/i.test(text), 'the timeline legend shows no lost update markers');
    return shotWide('02-race-lost-updates');
  });

  await step('compare: sequential above the thread pool', async () => {
    const threadpoolTrace = join(workspace, 'threadpool-trace.json');
    const check = cli('check', 'flags-threadpool', '--dir', workspace, '--trace', threadpoolTrace);
    ui.expect(check.status === 0, `the CLI Check of the thread pool failed: ${check.stdout}${check.stderr}`);
    await checkFromPalette('flags-sequential');
    await ui.runCommand(page, 'Concurrency Labs: Compare Traces…');
    // code-server's simple file dialog: go to the workspace, choose the file in its list, press Compare.
    const input = await ui.visible(page.locator('.quick-input-widget .quick-input-box input'), 'the file dialog');
    await input.fill(`${workspace}/`);
    const row = await ui.visible(page.locator('.quick-input-list .monaco-list-row').filter({ hasText: 'threadpool-trace.json' }), 'the trace in the file dialog');
    await row.click();
    // Choosing a file in the list accepts it at once in some versions; elsewhere Compare confirms it.
    const confirm = page.locator('.quick-input-widget:visible .monaco-button').filter({ hasText: 'Compare' });
    await page.waitForTimeout(300);
    if (await confirm.isVisible()) {
      await confirm.click();
    }
    await ui.waitUntil('two runs in the panel', async () => (await timelineText())?.includes('threadpool-trace.json'), ui.LONG_MS);
    const verdict = /threadpool-trace\.json \([^)]*\) ran [\d.]+× faster than [^\n]*/.exec(await timelineText())?.[0];
    ui.expect(verdict, 'the compare summary does not say the thread pool ran faster than the sequential run');
    return `${verdict} → ${await shotWide('03-compare-sequential-threadpool')}`;
  });
} finally {
  await session.close();
}

const failed = results.filter((result) => !result.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
