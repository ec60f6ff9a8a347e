// Check overhead: a Check of each lab's reference solution (the core's runChecks, as the extension runs it
// once Python is resolved) against the same solution run plainly (`python <entry>`, with FLAGS_URL from a
// flag server started by hand with the lab's settings), side by side; the figure is the difference.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { differences, interleave, median } from './stats.mjs';
import { failedRow, row } from './report.mjs';
import { core, LABS_ROOT, pythonEnv, timed, withSolution } from './labs.mjs';

export const TARGET_MS = 400;
const PROFILER = join(dirname(fileURLToPath(import.meta.url)), 'check_profile.py');

async function checkOnce(lab, workDir, python) {
  const began = performance.now();
  const run = await core('runner').runChecks({ lab, workDir, labsRoot: LABS_ROOT, pythonExecutable: python });
  const ms = performance.now() - began;
  if (run.status !== 'passed') {
    const why = run.fatal?.message ?? run.checks.filter((check) => check.status !== 'passed').map((check) => `${check.id}: ${check.status}: ${check.message.split('\n')[0]}`).join('; ');
    throw new Error(`the reference solution did not pass its Check (${run.status}): ${why || run.stderr.trim().split('\n').pop()}`);
  }
  return ms;
}

function measureLab(lab, python, runs, scratch) {
  return withSolution(python, lab, scratch, async ({ workDir, env }) => {
    const plain = async () => (await timed(python, [join(workDir, lab.manifest.entry)], { cwd: workDir, env })).ms;
    const { a: checks, b: plains } = await interleave(runs, () => checkOnce(lab, workDir, python), plain);
    // One more Check, through the profiler, to say where the time goes (not part of the figure, so a
    // profile that fails leaves the figure standing and says why in its place).
    const profile = await profileCheck(lab, workDir, python).catch((error) => ({ error: String(error?.message ?? error).split('\n')[0] }));
    return { checks, plains, overheads: differences(checks, plains), profile };
  });
}

/**
 * One Check run through check_profile.py: the runner as the core starts it, with timestamps around its
 * phases and its child runs. Resolves with the profile (seconds) and the wall time Node saw (ms).
 */
export async function profileCheck(lab, workDir, python) {
  const folder = mkdtempSync(join(tmpdir(), 'concurrency-labs-bench-'));
  try {
    const profile = join(folder, 'profile.json');
    const args = [PROFILER, '--profile', profile, '--lab', lab.dir, '--work', workDir, '--results', join(folder, 'results.jsonl')];
    const env = pythonEnv({ BENCH_SPAWNED_NS: String(process.hrtime.bigint()) });
    const { ms, stderr } = await timed(python, args, { cwd: workDir, env, allowFailure: true });
    let parsed;
    try {
      parsed = JSON.parse(readFileSync(profile, 'utf8'));
    } catch (error) {
      throw new Error(`check_profile.py wrote no profile (${error.message}): ${stderr.trim().split('\n').pop()}`);
    }
    return breakdown(ms, parsed);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** A profile (seconds, from check_profile.py) as the parts of the Check's wall time, in ms. */
export function breakdown(wallMs, profile) {
  const ms = (seconds) => (seconds ?? 0) * 1000;
  const children = profile.runs.reduce((sum, run) => sum + run.seconds, 0);
  const program = profile.runs.reduce((sum, run) => sum + (run.programSeconds ?? 0), 0);
  return {
    wallMs,
    startupMs: ms(profile.startup),
    importsMs: ms(profile.imports),
    checksModuleMs: ms(profile.checksModule),
    serverMs: ms(profile.server),
    childRuns: profile.runs.length,
    childOverheadMs: ms(children - program),
    programMs: ms(program),
    checkLogicMs: ms(profile.total - profile.imports - (profile.checksModule ?? 0) - (profile.server ?? 0) - children),
    exitMs: wallMs - ms(profile.startup) - ms(profile.total),
  };
}

const PARTS = [
  ['startupMs', 'python start'],
  ['importsMs', 'runner imports'],
  ['checksModuleMs', 'checks.py'],
  ['serverMs', 'flag server'],
  ['childOverheadMs', 'child start+exit'],
  ['checkLogicMs', 'checks logic'],
  ['exitMs', 'exit+node'],
  ['programMs', 'program'],
  ['wallMs', 'Check total'],
];

/** The table of where each lab's Check spent its time (one profiled Check per lab). */
export function formatProfiles(profiles) {
  const header = ['lab', ...PARTS.map(([, title]) => title), 'runs'];
  const profiled = profiles.filter(({ profile }) => !profile.error);
  const lines = profiled.map(({ id, profile }) => [id, ...PARTS.map(([key]) => String(Math.round(profile[key]))), String(profile.childRuns)]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
  const align = (line) => line.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  const failed = profiles.filter(({ profile }) => profile.error).map(({ id, profile }) => `${id}: not profiled: ${profile.error}`);
  return [`Where a Check's time goes (ms; machinery = all but "program", the learner's code running in the Check's children)`, align(header), ...lines.map(align), ...failed].join('\n');
}

/** One row per lab, then the median over labs (min and max over the labs' medians). */
export async function benchCheck({ python, labs, runs, scratch, log }) {
  const rows = [];
  const medians = [];
  for (const { lab, skip } of labs) {
    const id = lab.manifest.id;
    if (skip) {
      rows.push(failedRow('check', `  Check overhead ${id}`, 'ms', `skipped: ${skip}`, { max: TARGET_MS }));
      continue;
    }
    log(`Check overhead: ${id}`);
    try {
      const { checks, plains, overheads, profile } = await measureLab(lab, python, runs, scratch);
      medians.push(median(overheads));
      rows.push(row('check', `  Check overhead ${id}`, 'ms', overheads, { target: { max: TARGET_MS }, extra: { checkMs: checks, plainMs: plains, profile } }));
    } catch (error) {
      rows.push(failedRow('check', `  Check overhead ${id}`, 'ms', error, { max: TARGET_MS }));
    }
  }
  rows.unshift(row('check', 'Check overhead, median over labs', 'ms', medians, { target: { max: TARGET_MS }, note: 'min and max: the labs with the least and the most' }));
  return rows;
}
