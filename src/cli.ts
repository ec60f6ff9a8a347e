#!/usr/bin/env node
/**
 * `concurrency-labs`: the headless front end over the same core and Python runtime as the extension.
 *   list [--json] · start <lab> [--dir DIR] · check <lab> [--dir DIR] [--json] [--trace FILE] [--python PATH]
 *   hint <lab> [N] · verify [lab...] [--runs N] [--python PATH]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Catalog, Lab, describeProblem, findLab, groupByPart, loadCatalog, pythonTooOldFor } from './core/catalog';
import { partLabel } from './core/parts';
import { Candidate, PythonProblem, defaultCandidates, findPython, versionText } from './core/python';
import { CheckResult, summarize } from './core/results';
import { runChecks } from './core/runner';
import { applyStart, nodeExists, planStart } from './core/scaffold';
import { verifyLab } from './core/verify';
import { DEFAULT_LABS_FOLDER, learnerLabDir } from './core/workspace';

const USAGE = `Usage: concurrency-labs <command> [options]

Commands:
  list [--json]                           list the labs, by part, in teaching order
  start <lab> [--dir DIR]                 copy a lab's starter files into DIR/${DEFAULT_LABS_FOLDER}/<lab> (DIR: current folder)
  check <lab> [--dir DIR] [--json] [--trace FILE] [--python PATH]
                                          run the hidden checks on your copy of the lab
                                          exit code: 0 passed, 1 failed, 2 error or timed out
  hint <lab> [N]                          show hint N of the lab (default 1); each is more explicit than the last
  verify [lab...] [--runs N] [--python PATH]
                                          for each lab: the starter fails a check, the solution passes every
                                          check N times (default 5)
`;

const EXIT = { passed: 0, failed: 1, error: 2, timedOut: 2 } as const;

class UsageError extends Error {}

function labsRoot(): string {
  // dist/cli.js and src/cli.ts both sit one level below the package root, next to labs/.
  return process.env.CONCURRENCY_LABS_ROOT ?? path.resolve(__dirname, '..', 'labs');
}

function requireLab(catalog: Catalog, id: string | undefined): Lab {
  if (!id) {
    throw new UsageError('name a lab: see `concurrency-labs list`');
  }
  const lab = findLab(catalog, id);
  if (!lab) {
    const known = catalog.labs.map((candidate) => candidate.manifest.id).join(', ');
    throw new UsageError(`no lab "${id}". Labs: ${known}`);
  }
  return lab;
}

async function resolvePython(explicit: string | undefined): Promise<{ executable: string; version: readonly number[] }> {
  const chosen: Candidate[] = explicit ? [{ command: explicit, args: [], source: '--python' }] : [];
  return findPython(defaultCandidates(chosen), chosen.length);
}

function list(catalog: Catalog, json: boolean): number {
  if (json) {
    const labs = catalog.labs.map(({ manifest, dir }) => ({
      id: manifest.id,
      title: manifest.title,
      part: manifest.part,
      order: manifest.order,
      description: manifest.description,
      entry: manifest.entry,
      checks: manifest.checks.map((check) => check.id),
      minPython: manifest.minPython ?? null,
      dir,
    }));
    process.stdout.write(JSON.stringify({ labs, problems: catalog.problems }, null, 2) + '\n');
    return catalog.problems.length > 0 ? 1 : 0;
  }
  for (const group of groupByPart(catalog.labs)) {
    console.log(partLabel(group.part));
    for (const lab of group.labs) {
      console.log(`  ${lab.manifest.id.padEnd(24)} ${lab.manifest.title} — ${lab.manifest.description}`);
    }
  }
  for (const problem of catalog.problems) {
    console.error(`skipped: ${describeProblem(problem)}`);
  }
  return catalog.problems.length > 0 ? 1 : 0;
}

function start(lab: Lab, dir: string): number {
  const labsFolder = path.join(path.resolve(dir), DEFAULT_LABS_FOLDER);
  const plan = planStart(lab, labsFolder, nodeExists);
  applyStart(plan);
  console.log(plan.alreadyStarted ? `${lab.manifest.title}: already started in ${plan.labDir}` : `${lab.manifest.title}: started in ${plan.labDir}`);
  for (const copy of plan.copies) {
    console.log(`  created ${path.relative(process.cwd(), copy.to) || copy.to}`);
  }
  for (const kept of plan.kept) {
    console.log(`  kept your ${path.relative(process.cwd(), kept) || kept}`);
  }
  // The instructions run labkit's tools (python -m labkit.flagserver, labkit.showdis): they live beside the labs.
  console.log(`To run the instructions' python -m labkit… commands in a terminal, first: export PYTHONPATH="${labsRoot()}"`);
  console.log(`Read ${path.relative(process.cwd(), plan.instructionsFile)}, edit ${path.relative(process.cwd(), plan.entryFile)}, then run: concurrency-labs check ${lab.manifest.id}${dir === '.' ? '' : ` --dir ${dir}`}`);
  return 0;
}

const MARK: Record<CheckResult['status'], string> = { passed: '✓', failed: '✗', error: '!', timedOut: '⧗', skipped: '-' };

/** What the checks printed so far in this run, so a time-out or crash shared by several checks shows once. */
interface Printed {
  message?: string;
  output?: string;
  hints: Set<number>;
}

const OUTPUT_TAIL_LINES = 30;

function printCheck(result: CheckResult, lab: Lab, workDir: string, printed: Printed): void {
  console.log(`${MARK[result.status]} ${result.title}${result.status === 'passed' ? '' : ` [${result.status}]`}`);
  if (result.status === 'passed') {
    // What a passing check measured (a speed-up, the peak in flight) is worth seeing too.
    if (result.message.trim()) {
      console.log(`    ${result.message.trim().split('\n').join('\n    ')}`);
    }
    return;
  }
  const where = result.file ? `${path.join(workDir, result.file)}${result.line ? `:${result.line}` : ''}` : undefined;
  const said = `${result.message}\n${where ?? ''}`;
  if (said === printed.message) {
    console.log('    (the same as above)');
    return;
  }
  printed.message = said;
  for (const line of result.message.split('\n')) {
    console.log(`    ${line}`);
  }
  if (where) {
    console.log(`    at ${where}`);
  }
  if (result.expected !== undefined || result.actual !== undefined) {
    console.log(`    expected: ${result.expected ?? '?'}\n    actual:   ${result.actual ?? '?'}`);
  }
  // A crash's traceback is in what the program printed; the message says so.
  const output = result.output?.trimEnd();
  if (output && output !== printed.output && (result.status === 'error' || /output below/.test(result.message))) {
    printed.output = output;
    const lines = output.split('\n');
    console.log(`    your program's output${lines.length > OUTPUT_TAIL_LINES ? ` (last ${OUTPUT_TAIL_LINES} lines)` : ''}:`);
    for (const line of lines.slice(-OUTPUT_TAIL_LINES)) {
      console.log(`    | ${line}`);
    }
  }
  // Name the hint that fits, without giving it away: the learner asks for it. An error (a syntax error, a
  // missing file) is not what the lab's hints are about.
  const total = lab.manifest.hints.length;
  if (result.status !== 'error' && result.hint && result.hint <= total && !printed.hints.has(result.hint)) {
    printed.hints.add(result.hint);
    console.log(`    stuck? concurrency-labs hint ${lab.manifest.id} ${result.hint}   (hint ${result.hint} of ${total} fits this failure)`);
  }
}

function hint(lab: Lab, numberText: string | undefined): number {
  const { hints, id, title } = lab.manifest;
  if (hints.length === 0) {
    console.log(`${title} has no hints.`);
    return 0;
  }
  const number = numberText === undefined ? 1 : Number(numberText);
  if (!Number.isInteger(number) || number < 1 || number > hints.length) {
    throw new UsageError(`${id} has hints 1 to ${hints.length}; "${numberText}" is not one of them`);
  }
  console.log(`Hint ${number} of ${hints.length} — ${title}:`);
  console.log(`  ${hints[number - 1]}`);
  if (number < hints.length) {
    console.log(`Next, more explicit: concurrency-labs hint ${id} ${number + 1}`);
  }
  return 0;
}

async function check(lab: Lab, options: { dir: string; json: boolean; trace?: string; python?: string }): Promise<number> {
  const workDir = learnerLabDir(path.resolve(options.dir), lab.manifest.id);
  if (!fs.existsSync(path.join(workDir, lab.manifest.entry))) {
    const started = fs.existsSync(workDir);
    const message = started
      ? `${path.join(workDir, lab.manifest.entry)} is missing. Restore it, or start over with: concurrency-labs start ${lab.manifest.id}`
      : `the lab is not started in ${workDir}. Run: concurrency-labs start ${lab.manifest.id}`;
    if (options.json) {
      // A script reading --json gets the verdict in the usual shape: every check an error that says what to do.
      const fatal = { message, file: started ? lab.manifest.entry : null, line: null };
      const run = summarize(lab.manifest.checks, [{ type: 'fatal', fatal }], {
        timedOut: false, cancelled: false, exitCode: null, stderr: '', timeLimitSeconds: lab.manifest.timeLimitSeconds, durationMs: 0,
      });
      process.stdout.write(JSON.stringify({ lab: lab.manifest.id, workDir, ...run }, null, 2) + '\n');
      return EXIT[run.status];
    }
    throw new UsageError(message);
  }
  const python = await resolvePython(options.python);
  const tooOld = pythonTooOldFor(lab, python.version);
  if (tooOld) {
    throw new UsageError(`${lab.manifest.id} ${tooOld} (${python.executable}). Check it with a newer Python: --python /path/to/python${lab.manifest.minPython}`);
  }
  const run = await runChecks({
    lab,
    workDir,
    labsRoot: labsRoot(),
    pythonExecutable: python.executable,
    ...(options.trace ? { tracePath: path.resolve(options.trace) } : {}),
  });
  if (options.json) {
    process.stdout.write(JSON.stringify({ lab: lab.manifest.id, workDir, ...run }, null, 2) + '\n');
  } else {
    console.log(`${lab.manifest.title} — Python ${run.python ?? versionText(python.version)}`);
    const printed: Printed = { hints: new Set() };
    for (const result of run.checks) {
      printCheck(result, lab, workDir, printed);
    }
    const passed = run.checks.filter((result) => result.status === 'passed').length;
    console.log(`${passed}/${run.checks.length} checks passed (${(run.durationMs / 1000).toFixed(2)} s)`);
    if (run.tracePath) {
      console.log(`timeline: ${run.tracePath}`);
    }
  }
  return EXIT[run.status];
}

async function verify(catalog: Catalog, ids: string[], runs: number, pythonPath: string | undefined): Promise<number> {
  const labs = ids.length > 0 ? ids.map((id) => requireLab(catalog, id)) : [...catalog.labs];
  const python = await resolvePython(pythonPath);
  console.log(`verifying ${labs.length} lab(s) with Python ${versionText(python.version)} (${python.executable}), ${runs} starter and ${runs} solution run(s) each, taking turns`);
  let passed = 0;
  let failed = 0;
  for (const lab of labs) {
    const result = await verifyLab(lab, {
      labsRoot: labsRoot(),
      pythonExecutable: python.executable,
      pythonVersion: python.version,
      runs,
      onAttempt: (_lab, attempt) => {
        if (!attempt.ok) {
          console.log(`    ${attempt.variant}: ${attempt.problem}`);
        }
      },
    });
    if (result.skipped) {
      console.log(`- ${lab.manifest.id}: skipped (${result.skipped})`);
      continue;
    }
    const seconds = (variant: string): string =>
      result.attempts
        .filter((attempt) => attempt.variant === variant)
        .map((attempt) => (attempt.run.durationMs / 1000).toFixed(2))
        .join(' ');
    console.log(`${result.ok ? '✓' : '✗'} ${lab.manifest.id} (starter ${seconds('starter')} s, solution ${seconds('solution')} s)`);
    if (result.ok) {
      passed++;
    } else {
      failed++;
    }
  }
  for (const problem of catalog.problems) {
    console.log(`✗ ${describeProblem(problem)}`);
    failed++;
  }
  console.log(`verify: ${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      dir: { type: 'string', default: '.' },
      trace: { type: 'string' },
      python: { type: 'string' },
      runs: { type: 'string', default: '5' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  const catalog = loadCatalog(labsRoot());
  switch (command) {
    case 'list':
      return list(catalog, values.json!);
    case 'start':
      return start(requireLab(catalog, rest[0]), values.dir!);
    case 'hint':
      return hint(requireLab(catalog, rest[0]), rest[1]);
    case 'check':
      return check(requireLab(catalog, rest[0]), { dir: values.dir!, json: values.json!, trace: values.trace, python: values.python });
    case 'verify': {
      const runs = Number(values.runs);
      if (!Number.isInteger(runs) || runs < 1) {
        throw new UsageError('--runs takes a whole number, 1 or more');
      }
      return verify(catalog, rest, runs, values.python);
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof UsageError || error instanceof PythonProblem || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
        console.error(`concurrency-labs: ${(error as Error).message}`);
        if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
          console.error('Run `concurrency-labs --help` for usage.');
        }
      } else {
        console.error(`concurrency-labs: unexpected error: ${(error as Error).stack ?? error}`);
      }
      process.exit(2);
    },
  );
}
