import * as assert from 'node:assert/strict';
import { CheckSpec } from '../../src/core/manifest';
import { Ending, LineSplitter, RunnerEvent, parseEvent, summarize } from '../../src/core/results';

const specs: CheckSpec[] = [
  { id: 'one', title: 'First' },
  { id: 'two', title: 'Second', hint: 2 },
];

const ending: Ending = { timedOut: false, cancelled: false, exitCode: 0, stderr: '', timeLimitSeconds: 30, durationMs: 1234 };

function events(...lines: object[]): RunnerEvent[] {
  return lines.map((line) => parseEvent(JSON.stringify({ v: 1, ...line }))!).filter(Boolean);
}

describe('results protocol', () => {
  it('parses every event type and ignores what is not protocol', () => {
    assert.deepEqual(parseEvent('{"v":1,"type":"hello","python":"3.12.1","executable":"/py","lab":"x"}'), {
      type: 'hello', python: '3.12.1', executable: '/py', lab: 'x',
    });
    const end = parseEvent(JSON.stringify({ v: 1, type: 'checkEnd', id: 'one', status: 'failed', message: 'm', file: 'a.py', line: 3, hint: 2, expected: '20', actual: '19', stacks: [{ thread: 'T', frames: [{ file: 'a.py', line: 4, function: 'f' }] }] }));
    assert.equal(end?.type, 'checkEnd');
    if (end?.type === 'checkEnd') {
      assert.equal(end.result.line, 3);
      assert.equal(end.result.expected, '20');
      assert.equal(end.result.stacks?.[0].frames[0].function, 'f');
    }
    for (const junk of ['PASSED', '{"type":"done","status":"passed"}', '{"v":2,"type":"done","status":"passed"}', '[1]', '{"v":1,"type":"checkEnd","id":"x","status":"great"}']) {
      assert.equal(parseEvent(junk), undefined, junk);
    }
  });

  it('splits lines across chunks', () => {
    const splitter = new LineSplitter();
    assert.deepEqual(splitter.push('{"a"'), []);
    assert.deepEqual(splitter.push(':1}\n{"b":2}\n{"c"'), ['{"a":1}', '{"b":2}']);
    assert.deepEqual(splitter.flush(), ['{"c"']);
  });

  it('summarizes a passing run in manifest order with manifest titles', () => {
    const outcome = summarize(specs, events(
      { type: 'hello', python: '3.11.7', executable: 'p', lab: 'x' },
      { type: 'checkEnd', id: 'two', status: 'passed', message: '' },
      { type: 'checkEnd', id: 'one', status: 'passed', message: '' },
      { type: 'done', status: 'passed', durationMs: 50 },
    ), ending);
    assert.equal(outcome.status, 'passed');
    assert.deepEqual(outcome.checks.map((check) => [check.id, check.title]), [['one', 'First'], ['two', 'Second']]);
    assert.equal(outcome.python, '3.11.7');
    assert.equal(outcome.executable, 'p');
    assert.equal(outcome.durationMs, 50);
  });

  it('a location in something that is no file (<frozen runpy>) is dropped, file and line', () => {
    const outcome = summarize(specs, events(
      { type: 'checkEnd', id: 'one', status: 'timedOut', message: 'timed out', file: '<frozen runpy>', line: 88,
        stacks: [{ thread: 'main thread', state: 'suspended', frames: [{ file: '<frozen runpy>', line: 88, function: '_run_code' }, { file: 'spin.py', line: 12, function: 'main' }] }] },
      { type: 'checkEnd', id: 'two', status: 'passed', message: '' },
      { type: 'done', status: 'timedOut', durationMs: 5 },
    ), ending);
    assert.equal(outcome.checks[0].file, null);
    assert.equal(outcome.checks[0].line, null);
    assert.deepEqual(outcome.checks[0].stacks?.[0].frames.map((frame) => frame.file), ['spin.py']);
    assert.equal(outcome.checks[0].stacks?.[0].state, 'suspended');
  });

  it('a failed check fails the run', () => {
    const outcome = summarize(specs, events(
      { type: 'checkEnd', id: 'one', status: 'failed', message: 'lost updates', file: 'race.py', line: 7 },
      { type: 'checkEnd', id: 'two', status: 'passed', message: '' },
      { type: 'done', status: 'failed', durationMs: 5 },
    ), ending);
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.checks[0].line, 7);
  });

  it('a fatal error marks every unreported check with its message and location', () => {
    const outcome = summarize(specs, events({ type: 'fatal', message: 'SyntaxError: invalid syntax', file: 'main.py', line: 4 }), { ...ending, exitCode: 2 });
    assert.equal(outcome.status, 'error');
    assert.ok(outcome.checks.every((check) => check.status === 'error' && check.line === 4 && check.file === 'main.py'));
  });

  it('a crash without done is an error that quotes the runner’s stderr', () => {
    const outcome = summarize(specs, events({ type: 'checkEnd', id: 'one', status: 'passed', message: '' }), { ...ending, exitCode: 1, stderr: 'Traceback\nKeyError: boom' });
    assert.equal(outcome.status, 'error');
    assert.match(outcome.checks[1].message, /stopped unexpectedly \(exit code 1\):\nTraceback\nKeyError: boom/);
  });

  it('a run killed at the time limit times out the running check and skips the rest', () => {
    const outcome = summarize(specs, events({ type: 'checkStart', id: 'one' }), { ...ending, timedOut: true, exitCode: null });
    assert.equal(outcome.status, 'timedOut');
    assert.equal(outcome.checks[0].status, 'timedOut');
    assert.match(outcome.checks[0].message, /possible deadlock/);
    assert.equal(outcome.checks[1].status, 'skipped');
  });

  it('a run stopped by the learner is not passed', () => {
    const outcome = summarize(specs, events({ type: 'checkEnd', id: 'one', status: 'passed', message: '' }), { ...ending, cancelled: true, exitCode: null });
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.checks[1].status, 'skipped');
  });

  it('printed fake verdicts are never results: a done line with no check results is an error', () => {
    const outcome = summarize(specs, events({ type: 'done', status: 'passed', durationMs: 1 }), ending);
    assert.equal(outcome.status, 'error');
  });
});
