import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ReportContext, checkMessages, diagnosticsOf, lineColumns, passCount, spotOf, terminalText, waitingSpots } from '../../src/host/check/checkReport';
import { CheckResult } from '../../src/core/results';

const workDir = path.join(path.sep, 'ws', 'concurrency-labs', 'demo');
const context: ReportContext = { workDir, entryFile: path.join(workDir, 'main.py'), hints: ['gentle', 'explicit'], hintsSeen: 0 };

function result(overrides: Partial<CheckResult>): CheckResult {
  return { id: 'works', title: 'It works', status: 'failed', message: 'wrong', file: 'main.py', line: 12, hint: null, ...overrides };
}

const hang = result({
  id: 'no-deadlock',
  title: 'No deadlock',
  status: 'timedOut',
  message: 'timed out after 5 s — possible deadlock',
  file: 'main.py',
  line: 20,
  stacks: [
    {
      thread: 'main thread',
      frames: [
        { file: '<frozen runpy>', line: 198, function: '_run_module_as_main' },
        { file: 'main.py', line: 30, function: '<module>' },
        { file: 'main.py', line: 20, function: 'main' },
      ],
    },
    { thread: 'Thread-1 running transfer()', frames: [{ file: 'main.py', line: 9, function: 'transfer' }, { file: '/usr/lib/python3.11/threading.py', line: 300, function: 'wait' }] },
  ],
});

describe('check report (results → editor)', () => {
  it('places a failure at the learner file and line, absolute', () => {
    assert.deepEqual(spotOf(result({}), workDir), { file: path.join(workDir, 'main.py'), line: 12 });
    assert.deepEqual(spotOf(result({ line: null }), workDir), { file: path.join(workDir, 'main.py'), line: 1 });
    assert.equal(spotOf(result({ file: null, line: null }), workDir), undefined);
  });

  it('passes and skips carry no message', () => {
    assert.deepEqual(checkMessages(result({ status: 'passed' }), context), []);
    assert.deepEqual(checkMessages(result({ status: 'skipped' }), context), []);
  });

  it('offers a diff only when the check gave both expected and actual', () => {
    const [withDiff] = checkMessages(result({ expected: '20', actual: '3' }), context);
    assert.equal(withDiff.expected, '20');
    assert.equal(withDiff.actual, '3');
    const [withoutDiff] = checkMessages(result({ expected: '20' }), context);
    assert.equal(withoutDiff.expected, undefined, 'half a diff would mislead');
  });

  it('adds the hint that fits, without giving it away before it is seen', () => {
    const [unseen] = checkMessages(result({ hint: 2 }), context);
    assert.match(unseen.text, /^wrong\n\nStuck\? Show Hint \(hint 2 of 2/);
    const [seen] = checkMessages(result({ hint: 2 }), { ...context, hintsSeen: 2 });
    assert.match(seen.text, /Hint 2 of 2: explicit$/);
    const [syntaxError] = checkMessages(result({ hint: 2, status: 'error', message: 'SyntaxError in main.py line 3' }), context);
    assert.equal(syntaxError.text, 'SyntaxError in main.py line 3', 'an error is not what the hints are about');
  });

  it('a failure without a file still points at the entry; a checker error does not', () => {
    assert.deepEqual(checkMessages(result({ file: null, line: null }), context)[0].spot, { file: context.entryFile, line: 1 });
    assert.equal(checkMessages(result({ status: 'error', file: null, line: null }), context)[0].spot, undefined);
  });

  it('a time-out gets one message per waiting thread, at its innermost learner frame, with its stack', () => {
    const messages = checkMessages(hang, context);
    assert.equal(messages.length, 3);
    assert.deepEqual(messages[1].spot, { file: path.join(workDir, 'main.py'), line: 20 });
    assert.match(messages[2].text, /Thread-1 running transfer\(\) was waiting here, in transfer\(\)/);
    assert.deepEqual(messages[2].spot, { file: path.join(workDir, 'main.py'), line: 9 }, 'library frames are not the learner’s line');
    assert.equal(messages[2].frames[1].spot.file, '/usr/lib/python3.11/threading.py', 'the stack keeps library frames');
    assert.deepEqual(messages[1].frames.map((frame) => frame.label), ['<module>', 'main'], 'but not frames without a file');
    assert.equal(waitingSpots(undefined, workDir).length, 0);
  });

  it('says whether a thread was busy, blocked or a task suspended at an await, when the runtime could tell', () => {
    const frames = [{ file: 'main.py', line: 9, function: 'spin' }];
    const texts = waitingSpots(
      [
        { thread: "thread 'spinner'", frames, state: 'running' },
        { thread: "task 'Task-1' (supervisor)", frames, state: 'suspended' },
        { thread: 'main thread', frames, state: 'waiting' },
      ],
      workDir,
    ).map((related) => related.text);
    assert.deepEqual(texts, [
      "thread 'spinner' was running here (busy on the CPU), in spin()",
      "task 'Task-1' (supervisor) was suspended here, at an await, in spin()",
      'main thread was waiting here, in spin()',
    ]);
  });

  it('merges checks failing at the same line for the same reason into one diagnostic', () => {
    const specs = diagnosticsOf(
      [
        result({ id: 'a', title: 'Saves flags' }),
        result({ id: 'b', title: 'Prints codes' }),
        result({ id: 'c', title: 'Is fast', line: 40, message: 'too slow' }),
        result({ id: 'd', title: 'Passes', status: 'passed' }),
      ],
      context,
    );
    assert.equal(specs.length, 2);
    assert.equal(specs[0].text, 'Saves flags; Prints codes: wrong');
    assert.deepEqual(specs[0].checkIds, ['a', 'b']);
    assert.equal(specs[1].spot.line, 40);
  });

  it('a time-out diagnostic lists the waiting threads as related information', () => {
    const [spec] = diagnosticsOf([hang], context);
    assert.equal(spec.spot.line, 20);
    assert.deepEqual(spec.related.map((item) => item.spot.line), [20, 9]);
  });

  it('a time-out without its own line sits at the first waiting thread', () => {
    const [spec] = diagnosticsOf([{ ...hang, file: null, line: null }], context);
    assert.equal(spec.spot.line, 20);
  });

  it('underlines a line from its first non-blank character', () => {
    assert.deepEqual(lineColumns('    return x  '), { start: 4, end: 12 });
    assert.deepEqual(lineColumns('   '), { start: 0, end: 3 });
    assert.deepEqual(lineColumns(undefined), { start: 0, end: 0 });
  });

  it('counts passes and writes terminal line ends', () => {
    assert.deepEqual(passCount([result({ status: 'passed' }), result({})]), { passed: 1, total: 2 });
    assert.equal(terminalText('a\nb\r\nc'), 'a\r\nb\r\nc');
  });
});
