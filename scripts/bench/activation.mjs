// Extension activation, as VS Code reports it in Developer: Show Running Extensions (code loading plus
// the activate call), in code-server with the packaged VSIX installed: a fresh code-server per run, on a
// workspace that already holds a started lab (workspaceContains), read from the Running Extensions
// editor beside built-ins that activated in the same start.
import { join } from 'node:path';
import { openVsCode } from '../../test/e2e/lib/session.mjs';
import { runCommand, waitUntil } from '../../test/e2e/lib/workbench.mjs';
import { ratios } from './stats.mjs';
import { row } from './report.mjs';
import { LABS_ROOT, core } from './labs.mjs';

export const OURS = 'Concurrency Labs for Python';
/** Built-ins read in the same start; measured on a 2-core machine: Merge Conflict 18 ms, Emmet 30 ms, Git 58 ms. */
export const REFERENCES = ['Git', 'Emmet', 'Merge Conflict'];
const LAB_ID = 'thread-race';

/** "Startup Activation: 14ms" / "Activation: 14ms" → 14; "Activating..." → undefined. */
export function parseActivation(text) {
  const match = /Activation:\s*(\d+(?:\.\d+)?)\s*ms/.exec(text ?? '');
  return match ? Number(match[1]) : undefined;
}

/** The activation times on screen, by extension name. */
async function runningExtensions(page) {
  const rows = await page.locator('.editor-container .extension').evaluateAll((elements) =>
    elements.map((element) => ({ name: element.querySelector('.name')?.textContent ?? '', time: element.querySelector('.activation-time')?.textContent ?? '' })),
  );
  return Object.fromEntries(rows.map(({ name, time }) => [name, parseActivation(time)]));
}

async function sample(scratch, vsix, index) {
  const name = `activation-${index + 1}`;
  const lab = core('catalog').findLab(core('catalog').loadCatalog(LABS_ROOT), LAB_ID);
  const scaffold = core('scaffold');
  // The folder a learner reopens: a lab already started in it, so the extension activates at start-up.
  scaffold.applyStart(scaffold.planStart(lab, join(scratch, name, 'workspace', 'concurrency-labs'), scaffold.nodeExists));
  const session = await openVsCode({ scratch, name, vsix });
  try {
    await runCommand(session.page, 'Developer: Show Running Extensions');
    return await waitUntil(
      `the activation time of ${OURS} and of ${REFERENCES.join(', ')} in Running Extensions`,
      async () => {
        const times = await runningExtensions(session.page);
        return [OURS, ...REFERENCES].every((extension) => times[extension] !== undefined) ? times : undefined;
      },
      60_000,
      200,
    );
  } finally {
    await session.close();
  }
}

export async function benchActivation({ runs, vsix, scratch, log }) {
  const samples = [];
  for (let index = -1; index < runs; index += 1) {
    log(`activation: code-server start ${index + 2} of ${runs + 1}${index < 0 ? ' (warm-up)' : ''}`);
    const times = await sample(scratch, vsix, index);
    if (index >= 0) {
      samples.push(times);
    }
  }
  const of = (extension) => samples.map((times) => times[extension]);
  return [
    row('activation', 'extension activation', 'ms', of(OURS), { target: { max: 30 } }),
    ...REFERENCES.map((extension) => row('activation', `  ${extension} (built-in, same start)`, 'ms', of(extension))),
    row('activation', '  ours ÷ Emmet (same start)', 'x', ratios(of(OURS), of('Emmet')), { note: 'Emmet took 30 ms on the reference machine, where the target was set' }),
  ];
}
