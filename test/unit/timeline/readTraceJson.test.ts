import * as assert from 'node:assert/strict';
import { closeTruncatedJson, readTraceJson } from '../../../src/core/timeline/readTraceJson';
import { fixtureText } from './traceFixtures';

function problemOf(text: string): string {
  const result = readTraceJson(text);
  assert.ok(!result.ok, 'expected a problem');
  return result.problem.kind;
}

describe('timeline: reading trace JSON', () => {
  it('reads the object format and keeps otherData', () => {
    const result = readTraceJson(fixtureText('labkit-threadpool.json'));
    assert.ok(result.ok);
    assert.equal(result.raw.recovered, false);
    assert.ok(result.raw.events.length > 50);
    assert.equal((result.raw.otherData.concurrencyLabs as { lab: string }).lab, 'flags-threadpool');
  });

  it('reads the bare array format and a leading byte-order mark', () => {
    const result = readTraceJson('\ufeff[{"ph":"X","name":"a","ts":1,"dur":2,"pid":1,"tid":1}]');
    assert.ok(result.ok);
    assert.equal(result.raw.events.length, 1);
  });

  it('names each way a file can fail, with advice', () => {
    assert.equal(problemOf(''), 'empty');
    assert.equal(problemOf('  \n'), 'empty');
    assert.equal(problemOf('hello'), 'notJson');
    assert.equal(problemOf(fixtureText('not-a-trace.json')), 'notTrace');
    assert.equal(problemOf('{"traceEvents": 3}'), 'notTrace');
    assert.equal(problemOf('[1, 2, 3]'), 'notTrace');
    assert.equal(problemOf('42'), 'notTrace');
    assert.equal(problemOf('{"traceEvents": []}'), 'noEvents');
    const result = readTraceJson(fixtureText('not-a-trace.json'));
    assert.ok(!result.ok);
    assert.match(result.problem.message, /"name", "version", "scripts"/);
    assert.ok(result.problem.advice.length > 20);
  });

  it('recovers a file cut off mid-event up to its last complete event', () => {
    const result = readTraceJson(fixtureText('truncated.json'));
    assert.ok(result.ok);
    assert.equal(result.raw.recovered, true);
    const full = readTraceJson(fixtureText('labkit-threadpool.json'));
    assert.ok(full.ok);
    assert.ok(result.raw.events.length > 10 && result.raw.events.length < full.raw.events.length);
    assert.deepEqual(result.raw.events, full.raw.events.slice(0, result.raw.events.length));
  });

  it('closes exactly the brackets left open, ignoring brackets inside strings', () => {
    assert.equal(closeTruncatedJson('{"traceEvents":[{"name":"a}]"},{"na'), '{"traceEvents":[{"name":"a}]"}]}');
    assert.equal(closeTruncatedJson('[{"a":1},{"b":{"c":2}'), '[{"a":1}]');
    assert.equal(closeTruncatedJson('{"a":"\\"}"'), undefined);
    assert.equal(closeTruncatedJson('[1, 2'), undefined);
    assert.equal(closeTruncatedJson('{"a":[}'), undefined);
  });
});
