// `npm run bench [-- --out FILE] [--runs N] [--only rows] [--python PATH]`: the product measured as a
// learner feels it (issue 10). Builds what it needs, measures each figure as the median of N runs after a
// warm-up (comparisons side by side in the same run), prints a table against the targets and writes the
// same figures as JSON. Exit code 0 when every figure was measured (met or not), 1 otherwise.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ROOT } from './lib/codeServer.mjs';
import { benchActivation } from './bench/activation.mjs';
import { build } from './bench/build.mjs';
import { benchBundle } from './bench/bundle.mjs';
import { benchCheck, formatProfiles } from './bench/checkOverhead.mjs';
import { benchFlagServer } from './bench/flagServer.mjs';
import { labsFor, resolvePython } from './bench/labs.mjs';
import { DEFAULT_RUNS, USAGE, UsageError, parseOptions } from './bench/options.mjs';
import { benchRecorder } from './bench/recorderOverhead.mjs';
import { failedRow, formatTable, tally } from './bench/report.mjs';
import { benchStartLab } from './bench/startLab.mjs';
import { benchTimeline } from './bench/timeline.mjs';

let options;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) {
    throw error;
  }
  console.error(`bench: ${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}

const began = Date.now();
const log = (message) => console.log(`[${((Date.now() - began) / 1000).toFixed(0).padStart(4)} s] ${message}`);
if (options.runs < DEFAULT_RUNS) {
  log(`--runs ${options.runs}: fewer than the ${DEFAULT_RUNS} runs per figure the issue asks for; fine for a try, not for a record`);
}
const scratch = mkdtempSync(join(tmpdir(), 'concurrency-labs-bench-'));
const load = { start: loadavg()[0] };
const rows = [];
const context = { runs: options.runs, scratch, log };
let python;

/** The figures: what each one needs, and the rows it adds (a figure that throws leaves a marked row). */
const FIGURES = {
  bundle: { needs: ['vsix'], run: () => benchBundle(context), unit: 'KB', title: 'bundle' },
  'flag-server': { needs: ['python'], run: () => benchFlagServer(context), unit: 'errors', title: 'flag server' },
  check: { needs: ['python'], run: () => benchCheck(context), unit: 'ms', title: 'Check overhead' },
  recorder: { needs: ['python'], run: () => benchRecorder(context), unit: 'x', title: 'recorder overhead' },
  timeline: { needs: [], run: () => benchTimeline(context), unit: 'ms', title: 'timeline render' },
  activation: { needs: ['vsix'], run: () => benchActivation(context), unit: 'ms', title: 'extension activation' },
  'start-lab': { needs: ['vsix', 'python'], run: () => benchStartLab(context), unit: 'ms', title: 'Start Lab' },
};

try {
  Object.assign(context, build(scratch, log));
  if (options.only.some((name) => FIGURES[name].needs.includes('python'))) {
    python = await resolvePython(options.python);
    log(`Python ${python.version.join('.')} at ${python.executable}`);
    Object.assign(context, { python: python.executable, labs: labsFor(python) });
  }
  for (const name of options.only) {
    const figure = FIGURES[name];
    log(`measuring ${figure.title}`);
    try {
      rows.push(...(await figure.run()));
    } catch (error) {
      log(`${figure.title} could not be measured: ${error?.stack ?? error}`);
      rows.push(failedRow(name, figure.title, figure.unit, error));
    }
  }
} catch (error) {
  log(`the bench could not run: ${error?.stack ?? error}`);
  rows.push(failedRow('bench', 'build', '', error));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
load.end = loadavg()[0];

const profiles = rows.filter((entry) => entry.extra?.profile).map((entry) => ({ id: entry.figure.trim().replace(/^Check overhead /, ''), profile: entry.extra.profile }));
if (profiles.length > 0) {
  console.log(`\n${formatProfiles(profiles)}`);
}
const seconds = Math.round((Date.now() - began) / 1000);
console.log(`\nConcurrency Labs bench — median of ${options.runs} runs after a warm-up; ${cpus().length} CPUs, load ${load.start.toFixed(1)} → ${load.end.toFixed(1)}, ${seconds} s`);
console.log(formatTable(rows));
const counts = tally(rows);
console.log(`\n${counts.met} met, ${counts.missed} missed, ${counts.unmeasured} not measured`);

const out = resolve(ROOT, options.out);
mkdirSync(dirname(out), { recursive: true });
const machine = { cpus: cpus().length, model: cpus()[0]?.model, loadAverage: load, node: process.version, python: python ? { version: python.version.join('.'), executable: python.executable } : null };
writeFileSync(out, `${JSON.stringify({ measured: new Date().toISOString(), command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '), runs: options.runs, seconds, machine, figures: rows }, null, 2)}\n`);
console.log(`figures written to ${out}`);
process.exit(counts.unmeasured > 0 ? 1 : 0);
