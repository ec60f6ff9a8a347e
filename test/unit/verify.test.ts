import * as assert from 'node:assert/strict';
import { CheckSpec } from '../../src/core/manifest';
import { CheckStatus } from '../../src/core/results';
import { CheckRun } from '../../src/core/runner';
import { judge, verifyPlan } from '../../src/core/verify';

function runWith(statuses: Record<string, CheckStatus>): CheckRun {
  const checks = Object.entries(statuses).map(([id, status]) => ({ id, title: id, status, message: `${id} ${status}`, file: null, line: null, hint: null }));
  const status = checks.every((check) => check.status === 'passed') ? 'passed' : 'failed';
  return { status, checks, durationMs: 10, stderr: '' };
}

const RACE_LAB: readonly CheckSpec[] = [
  { id: 'no-lost-updates', title: 'no lost updates', starterFails: true },
  { id: 'final-after-workers', title: 'final after workers' },
];

describe('verify', () => {
  it('takes turns: starter, solution, starter, solution, runs times each', () => {
    assert.deepEqual(verifyPlan(3), ['starter', 'solution', 'starter', 'solution', 'starter', 'solution']);
    assert.deepEqual(verifyPlan(0), ['starter', 'solution']);
  });

  it('a starter is good when it fails some check cleanly, and bad when it passes everything', () => {
    assert.equal(judge('starter', runWith({ works: 'failed', fast: 'passed' })).ok, true);
    assert.equal(judge('starter', runWith({ works: 'timedOut', fast: 'passed' })).ok, true);
    const passes = judge('starter', runWith({ works: 'passed', fast: 'passed' }));
    assert.equal(passes.ok, false);
    assert.match(passes.problem ?? '', /nothing for the learner to do/);
    assert.equal(judge('starter', runWith({ works: 'failed', fast: 'error' })).ok, false);
  });

  it('a starter that got through a check it must always fail is named, even when another check failed', () => {
    assert.equal(judge('starter', runWith({ 'no-lost-updates': 'failed', 'final-after-workers': 'failed' }), RACE_LAB).ok, true);
    assert.equal(judge('starter', runWith({ 'no-lost-updates': 'timedOut', 'final-after-workers': 'passed' }), RACE_LAB).ok, true);
    const lucky = judge('starter', runWith({ 'no-lost-updates': 'passed', 'final-after-workers': 'failed' }), RACE_LAB);
    assert.equal(lucky.ok, false);
    assert.match(lucky.problem ?? '', /no-lost-updates/);
  });

  it('the solution must pass every check', () => {
    assert.equal(judge('solution', runWith({ works: 'passed', fast: 'passed' })).ok, true);
    assert.match(judge('solution', runWith({ works: 'passed', fast: 'failed' })).problem ?? '', /fast: failed/);
  });
});
