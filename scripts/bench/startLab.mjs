// Start Lab: in code-server with the packaged VSIX, "Concurrency Labs: Start Lab" from the command palette
// and a lab picked; timed in the page from the Enter that picks the lab to the first frame in which the
// entry file's tab is open with the starter's first line on screen. One lab per run, all editors closed
// in between (with a lab file active, Start Lab would start that lab without asking).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openVsCode } from '../../test/e2e/lib/session.mjs';
import { attribute, runCommand, tab, visible } from '../../test/e2e/lib/workbench.mjs';
import { row } from './report.mjs';

const OPEN_TIMEOUT_MS = 60_000;

/**
 * In the page: resolves with the ms from the next Enter to the first DOM state in which `entry` is an
 * open tab whose editor shows `firstLine` on its top line. Armed before the Enter is pressed.
 */
function armOpenTimer({ entry, firstLine, timeoutMs }) {
  const plain = (text) => (text ?? '').replace(/\u00a0/g, ' ');
  const opened = () => {
    for (const group of document.querySelectorAll('.editor-group-container')) {
      const tabs = [...group.querySelectorAll('.tabs-container .tab')].map((tab) => tab.getAttribute('aria-label') ?? '');
      if (!tabs.some((label) => label === entry || label.startsWith(`${entry}, `))) {
        continue;
      }
      const lines = [...group.querySelectorAll('.monaco-editor .view-lines .view-line')].sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
      if (lines.length > 0 && plain(lines[0].textContent) === firstLine) {
        return true;
      }
    }
    return false;
  };
  window.__benchStartLab = new Promise((resolve, reject) => {
    let pressed;
    const onKey = (event) => {
      if (event.key === 'Enter' && pressed === undefined) {
        pressed = performance.now();
      }
    };
    // Capture on window sees the key before the quick pick acts on it.
    window.addEventListener('keydown', onKey, true);
    const observer = new MutationObserver(() => {
      if (pressed !== undefined && opened()) {
        const ms = performance.now() - pressed;
        observer.disconnect();
        window.removeEventListener('keydown', onKey, true);
        resolve(ms);
      }
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });
    setTimeout(() => {
      observer.disconnect();
      reject(new Error(`${entry} did not open with "${firstLine}" on its first line within ${timeoutMs / 1000} s of picking the lab`));
    }, timeoutMs);
  });
}

async function startOne(page, lab) {
  const { entry, title } = lab.manifest;
  const firstLine = readFileSync(join(lab.dir, 'starter', entry), 'utf8').split('\n')[0];
  await runCommand(page, 'View: Close All Editors');
  await runCommand(page, 'Concurrency Labs: Start Lab');
  const input = await visible(page.locator('.quick-input-widget .quick-input-box input'), 'the lab picker of Start Lab');
  await input.fill(title);
  await visible(page.locator(`.quick-input-list .monaco-list-row[aria-label^=${attribute(title)}]`), `"${title}" in the lab picker`);
  await page.evaluate(armOpenTimer, { entry, firstLine, timeoutMs: OPEN_TIMEOUT_MS });
  await page.keyboard.press('Enter');
  const ms = await page.evaluate(() => window.__benchStartLab);
  // Start Lab goes on to open the instructions beside the file; closing editors before they are there
  // would leave the preview to open into the next run.
  await visible(tab(page, 'Preview README.md'), 'the instructions (Preview README.md) that Start Lab opens', OPEN_TIMEOUT_MS);
  return ms;
}

export async function benchStartLab({ runs, vsix, scratch, labs, log }) {
  const startable = labs.map(({ lab }) => lab);
  if (startable.length < runs + 1) {
    throw new Error(`Start Lab needs a fresh lab per run: ${runs + 1} runs, ${startable.length} labs`);
  }
  const session = await openVsCode({ scratch, name: 'start-lab', vsix });
  try {
    // The workbench lists an extension's commands once it has scanned the extension, after it first shows.
    await visible(session.page.locator('.activitybar .action-item [aria-label^="Concurrency Labs"]'), 'the Concurrency Labs icon in the activity bar', 60_000);
    const samples = [];
    for (let index = -1; index < runs; index += 1) {
      const lab = startable[index + 1];
      log(`Start Lab: ${lab.manifest.id}${index < 0 ? ' (warm-up: activates the extension)' : ''}`);
      const ms = await startOne(session.page, lab).catch(async (error) => {
        const shot = join(scratch, '..', `bench-start-lab-${lab.manifest.id}.png`);
        await session.page.screenshot({ path: shot }).catch(() => {});
        throw new Error(`${error.message} (screenshot: ${shot})`);
      });
      if (index >= 0) {
        samples.push(ms);
      }
    }
    return [row('start-lab', 'Start Lab (pick to entry file open)', 'ms', samples, { target: { max: 300 } })];
  } finally {
    await session.close();
  }
}
