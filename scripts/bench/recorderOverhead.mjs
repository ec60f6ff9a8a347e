// Recorder overhead: each lab's reference solution run by `python -m labkit.recorder` with the timeline
// recorder on (the lab's functions of interest, as Check with a timeline records them) and off
// (--no-record), side by side; the figure is the ratio of the program's own wall time (start-up excluded,
// the same in both), pair by pair.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { interleave, median, ratios } from './stats.mjs';
import { failedRow, formatValue, row } from './report.mjs';
import { timed, withSolution } from './labs.mjs';

/** What kind of concurrency each part of the curriculum teaches, and the recorder's allowance for it. */
export const KINDS = {
  1: { kind: 'downloads', target: 1.1 },
  2: { kind: 'threads', target: 1.1 },
  3: { kind: 'asyncio', target: 2 },
  // Processes have no target in the issue; shown for reference (labkit/bench_recorder.py does the same).
  4: { kind: 'processes', target: undefined },
};

const SHORT_PROGRAM_S = 1;
const MAX_RUNS_FACTOR = 8;

async function runOnce(python, lab, workDir, env, record) {
  const trace = join(workDir, '.bench-trace.json');
  const timing = join(workDir, '.bench-timing.json');
  const functions = lab.manifest.timeline?.functions ?? [];
  const args = ['-m', 'labkit.recorder', '--trace', trace, '--timing', timing];
  args.push(...(record ? (functions.length > 0 ? ['--functions', functions.join(',')] : []) : ['--no-record']));
  args.push(join(workDir, lab.manifest.entry));
  await timed(python, args, { cwd: workDir, env });
  const result = JSON.parse(readFileSync(timing, 'utf8'));
  rmSync(trace, { force: true });
  return result;
}

function measureLab(python, lab, runs, scratch) {
  return withSolution(python, lab, scratch, async ({ workDir, env }) => {
    const stops = [];
    const record = async (index) => {
      const result = await runOnce(python, lab, workDir, env, true);
      if (index >= 0) {
        stops.push(result.stopS * 1000);
      }
      return result.runS;
    };
    const plain = async () => (await runOnce(python, lab, workDir, env, false)).runS;
    // A program of a few ms varies by more than the recorder costs: more pairs, until the plain runs add
    // up to SHORT_PROGRAM_S, so the median ratio says something about the recorder.
    const more = ({ b }) => b.reduce((sum, seconds) => sum + seconds, 0) < SHORT_PROGRAM_S;
    const { a: on, b: off } = await interleave(runs, record, plain, { more, maxRuns: runs * MAX_RUNS_FACTOR });
    return { on, off, stops };
  });
}

export async function benchRecorder({ python, labs, runs, scratch, log }) {
  const rows = [];
  const scratchDir = mkdtempSync(join(scratch, 'recorder-'));
  for (const { lab, skip } of labs) {
    const { kind, target } = KINDS[lab.manifest.part] ?? { kind: 'other' };
    const figure = `recorder overhead ${lab.manifest.id} (${kind})`;
    const goal = target ? { max: target } : undefined;
    if (skip) {
      rows.push(failedRow('recorder', figure, 'x', `skipped: ${skip}`, goal));
      continue;
    }
    log(`recorder overhead: ${lab.manifest.id}`);
    try {
      const { on, off, stops } = await measureLab(python, lab, runs, scratchDir);
      // A ratio hides how small the program is: a 2x of a 3 ms program is 3 ms nobody waits for.
      const program = formatValue(median(off) * 1000, 'ms');
      rows.push(row('recorder', `recorder overhead ${lab.manifest.id} (${kind}, ${program} program)`, 'x', ratios(on, off), { ...(goal ? { target: goal } : {}), extra: { onS: on, offS: off, stopMs: stops } }));
    } catch (error) {
      rows.push(failedRow('recorder', figure, 'x', error, goal));
    }
  }
  return rows;
}
