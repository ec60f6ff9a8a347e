/**
 * Verifies a lab against its own checks: the starter must fail at least one check (so the learner has
 * something to do), and every check marked `starterFails` on every run, and the reference solution must
 * pass every one, run after run (races are random). Starter and solution runs take turns, so a busy
 * moment of the machine falls on both alike.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Lab, pythonTooOldFor } from './catalog';
import { CheckSpec } from './manifest';
import { LAB_MARKER } from './scaffold';
import { CheckRun, runChecks } from './runner';

export type Variant = 'starter' | 'solution';

export interface VerifyAttempt {
  readonly variant: Variant;
  readonly run: CheckRun;
  readonly ok: boolean;
  readonly problem?: string;
}

export interface LabVerification {
  readonly lab: Lab;
  readonly ok: boolean;
  readonly attempts: readonly VerifyAttempt[];
  readonly skipped?: string;
}

/** Copies a variant of the lab into a fresh folder, as Start Lab would, with the solution's files when asked. */
export function materialize(lab: Lab, variant: Variant, parent: string): string {
  const dir = fs.mkdtempSync(path.join(parent, `${lab.manifest.id}-${variant}-`));
  fs.cpSync(path.join(lab.dir, 'starter'), dir, { recursive: true });
  if (variant === 'solution') {
    fs.cpSync(path.join(lab.dir, 'solution'), dir, { recursive: true, force: true });
  }
  fs.writeFileSync(path.join(dir, LAB_MARKER), JSON.stringify({ lab: lab.manifest.id }) + '\n');
  return dir;
}

export function judge(variant: Variant, run: CheckRun, checks: readonly CheckSpec[] = []): { ok: boolean; problem?: string } {
  const spec = (id: string): CheckSpec | undefined => checks.find((check) => check.id === id);
  const describe = (): string =>
    run.checks
      .filter((check) => check.status !== 'passed')
      .map((check) => `${check.id}: ${check.status}: ${check.message.split('\n')[0]}`)
      .join('; ') || run.fatal?.message || run.stderr.trim().split('\n').slice(-3).join(' | ');
  if (variant === 'starter') {
    // The starter must fail for a reason the learner can act on, never crash the checker.
    const failsCleanly = !run.fatal && run.checks.some((check) => check.status === 'failed' || check.status === 'timedOut') && !run.checks.some((check) => check.status === 'error');
    const survived = run.checks.filter((check) => check.status === 'passed' && spec(check.id)?.starterFails);
    if (failsCleanly && survived.length > 0) {
      return { ok: false, problem: `the starter passed ${survived.map((check) => check.id).join(', ')}, which it must fail on every run` };
    }
    if (failsCleanly) {
      return { ok: true };
    }
    return run.status === 'passed'
      ? { ok: false, problem: 'the starter passes every check: there is nothing for the learner to do' }
      : { ok: false, problem: `the starter did not fail cleanly (${run.status}): ${describe()}` };
  }
  return run.status === 'passed' ? { ok: true } : { ok: false, problem: `the solution did not pass (${run.status}): ${describe()}` };
}

/** The starter and the solution, taking turns, `runs` times each (at least once). */
export function verifyPlan(runs: number): Variant[] {
  return Array.from({ length: Math.max(1, runs) }, () => ['starter', 'solution'] as Variant[]).flat();
}

export interface VerifyOptions {
  readonly labsRoot: string;
  readonly pythonExecutable: string;
  readonly pythonVersion: readonly number[];
  /** Runs of each variant: the starter and the solution take turns, `runs` times each. */
  readonly runs: number;
  readonly onAttempt?: (lab: Lab, attempt: VerifyAttempt, index: number) => void;
}

export async function verifyLab(lab: Lab, options: VerifyOptions): Promise<LabVerification> {
  const skipped = pythonTooOldFor(lab, options.pythonVersion);
  if (skipped) {
    return { lab, ok: true, attempts: [], skipped };
  }
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'concurrency-labs-verify-'));
  const attempts: VerifyAttempt[] = [];
  try {
    const plan = verifyPlan(options.runs);
    for (const [index, variant] of plan.entries()) {
      const workDir = materialize(lab, variant, parent);
      const run = await runChecks({ lab, workDir, labsRoot: options.labsRoot, pythonExecutable: options.pythonExecutable });
      const verdict = judge(variant, run, lab.manifest.checks);
      const attempt: VerifyAttempt = { variant, run, ...verdict };
      attempts.push(attempt);
      options.onAttempt?.(lab, attempt, index);
    }
  } finally {
    fs.rmSync(parent, { recursive: true, force: true });
  }
  return { lab, ok: attempts.every((attempt) => attempt.ok), attempts };
}
