import * as assert from 'node:assert/strict';
import { parseTrace } from '../../../src/core/timeline/parseTrace';
import { eventsTrace, fixtureText, fixtureTrace, laneNamed } from './traceFixtures';

describe('timeline: parsing a Concurrency Labs trace', () => {
  const trace = fixtureTrace('labkit-threadpool.json');

  it('groups lanes by process, in the recorder\'s sort order, named as the program named them', () => {
    assert.deepEqual(
      trace.processes.map((p) => p.name),
      ['MainProcess (pid 4242)', 'flag server (pid 4200)'],
    );
    const names = (index: number) => trace.processes[index].lanes.map((lane) => trace.lanes[lane].name);
    assert.deepEqual(names(0), ['MainThread', 'ThreadPoolExecutor-0_0', 'ThreadPoolExecutor-0_1', 'ThreadPoolExecutor-0_2', 'Lock 1']);
    assert.deepEqual(names(1), ['flag server']);
    assert.equal(laneNamed(trace, 'Lock 1').async, true);
    assert.equal(laneNamed(trace, 'MainThread').async, false);
  });

  it('starts time at zero and keeps the origin', () => {
    assert.equal(trace.origin, 5_000_000_000);
    assert.equal(trace.duration, 1_000_000);
    assert.equal(trace.spans[0].start, 0);
  });

  it('nests spans of a thread: thread, then work items, then calls', () => {
    const worker = laneNamed(trace, 'ThreadPoolExecutor-0_0');
    assert.deepEqual(
      worker.rows.map((row) => [...new Set(row.map((s) => s.kind))]),
      [['thread'], ['work'], ['call']],
    );
    const lane3 = laneNamed(trace, 'ThreadPoolExecutor-0_1');
    const wait = lane3.rows.flat().find((s) => s.kind === 'lockWait');
    assert.equal(wait?.depth, 1);
    assert.deepEqual(wait?.source, { file: 'flags.py', line: 22 });
  });

  it('reads kinds, sources, CPU times and args', () => {
    const kinds = new Set(trace.spans.map((s) => s.kind));
    assert.deepEqual([...kinds].sort(), ['call', 'lockHold', 'lockWait', 'process', 'request', 'thread', 'work']);
    const failed = trace.spans.find((s) => s.kind === 'work' && s.args?.error !== undefined);
    assert.equal(failed?.cpu, 9000);
    assert.deepEqual(failed?.source, { file: 'flags.py', line: 30 });
    const request = trace.spans.find((s) => s.kind === 'request');
    assert.equal(request?.args?.status, 200, 'args of the e event are merged into the b event\'s');
    assert.equal(request?.args?.method, 'GET');
  });

  it('ids spans by their index, sorted by start', () => {
    trace.spans.forEach((s, index) => {
      assert.equal(s.id, index);
      if (index > 0) {
        assert.ok(trace.spans[index - 1].start <= s.start);
      }
    });
  });

  it('joins submit and start flows from the lane that asked to the lane that ran', () => {
    assert.equal(trace.flows.length, 9);
    const main = laneNamed(trace, 'MainThread').index;
    assert.ok(trace.flows.every((flow) => flow.from.laneIndex === main && flow.to.laneIndex !== main));
    assert.ok(trace.flows.every((flow) => flow.from.t <= flow.to.t));
  });

  it('collects counters per process and markers per lane, classified', () => {
    assert.deepEqual(trace.counters.map((c) => [c.name, c.max]), [['in flight', 3]]);
    assert.equal(trace.processes[1].counters.length, 1);
    assert.deepEqual(trace.markers.map((m) => m.kind), ['error', 'lostUpdate', 'cancel']);
    assert.equal(laneNamed(trace, 'ThreadPoolExecutor-0_1').markers[0].name, 'exception');
    assert.deepEqual(laneNamed(trace, 'ThreadPoolExecutor-0_1').markers[0].source, { file: 'flags.py', line: 14 });
    assert.equal(laneNamed(trace, 'MainThread').markers[0].kind, 'cancel');
  });

  it('keeps what the recorder says about the run', () => {
    assert.equal(trace.fromLabkit, true);
    assert.equal(trace.lab, 'flags-threadpool');
    assert.equal(trace.sourceRoot, '/nonexistent/learner/flags-threadpool');
    assert.equal(trace.truncated, false);
    assert.deepEqual(trace.warnings, []);
  });

  it('gives each asyncio task its own lane and packs overlapping requests into rows', () => {
    const asyncTrace = fixtureTrace('labkit-asyncio.json');
    const main = asyncTrace.processes[0].lanes.map((lane) => asyncTrace.lanes[lane].name);
    assert.deepEqual(main, ['MainThread', 'Task-1', 'download BR', 'download CN', 'download IN', 'download US']);
    const server = laneNamed(asyncTrace, 'flag server');
    assert.equal(server.rows.length, 2, 'two requests overlap at most');
    const steps = laneNamed(asyncTrace, 'MainThread').rows[1];
    assert.ok(steps.length === 9 && steps.every((s) => s.kind === 'step'));
    assert.equal(laneNamed(asyncTrace, 'download US').rows[0][0].args?.status, 'cancelled');
  });
});

describe('timeline: parsing foreign and damaged traces', () => {
  it('draws a Perfetto-style trace: B/E nesting, string tids, id2 async spans, global markers', () => {
    const trace = fixtureTrace('perfetto-foreign.json');
    assert.equal(trace.fromLabkit, false);
    assert.equal(trace.processes[0].name, 'renderer');
    assert.deepEqual(trace.lanes.map((l) => l.name), ['CrRendererMain', 'Thread 9', 'ResourceLoad']);
    const main = laneNamed(trace, 'CrRendererMain');
    assert.deepEqual(main.rows.map((row) => row.map((s) => s.name)), [['ParseHTML'], ['v8.compile']]);
    assert.deepEqual(main.rows[1][0].args, { url: 'a.js', lines: 20 });
    assert.equal(laneNamed(trace, 'ResourceLoad').rows[0][0].end, 1500);
    assert.equal(trace.markers.length, 1);
    assert.equal(trace.markers[0].laneIndex, undefined);
    assert.equal(trace.markers[0].processIndex, undefined);
    assert.equal(trace.duration, 1500);
  });

  it('shows the complete beginning of a cut-off file and says so', () => {
    const result = parseTrace(fixtureText('truncated.json'));
    assert.ok(result.ok);
    assert.equal(result.trace.truncated, true);
    assert.match(result.trace.warnings.join(' '), /cut off/);
  });

  it('warns when the recorder hit its event cap or lost a child process', () => {
    const trace = eventsTrace([{ ph: 'X', name: 'a', ts: 0, dur: 5, pid: 1, tid: 1 }], { concurrencyLabs: { truncated: true, missingProcesses: [99] } });
    assert.equal(trace.truncated, true);
    assert.match(trace.warnings[0], /event limit/);
    assert.match(trace.warnings[1], /1 child process never sent its part/);
  });

  it('draws a span still open at the end to the end of the trace, flagged', () => {
    const trace = eventsTrace([
      { ph: 'B', name: 'forever', ts: 10, pid: 1, tid: 1 },
      { ph: 'X', name: 'other', ts: 20, dur: 80, pid: 1, tid: 2 },
    ]);
    const open = trace.spans.find((s) => s.name === 'forever');
    assert.equal(open?.unfinished, true);
    assert.equal(open?.end, 90);
    assert.match(trace.warnings.join(' '), /still running/);
  });

  it('skips malformed events and ends without a start, and counts them', () => {
    const trace = eventsTrace([
      { ph: 'X', name: 'good', ts: 0, dur: 10, pid: 1, tid: 1 },
      { ph: 'X', name: 'no time', pid: 1, tid: 1 },
      'not an event',
      { ph: 'E', ts: 5, pid: 1, tid: 7 },
      { ph: 'C', name: 'no numbers', ts: 3, pid: 1, args: { label: 'x' } },
    ]);
    assert.equal(trace.spans.length, 1);
    assert.match(trace.warnings.join(' '), /4 events could not be drawn/);
  });

  it('says there is nothing to draw when only metadata is left', () => {
    const result = parseTrace(JSON.stringify({ traceEvents: [{ ph: 'M', name: 'thread_name', pid: 1, tid: 1, args: { name: 'x' } }] }));
    assert.ok(!result.ok);
    assert.equal(result.problem.kind, 'noEvents');
  });

  it('never throws, whatever valid JSON holds', () => {
    const odd = [
      '{"traceEvents":[{"ph":"X","ts":"12","dur":"x","pid":{},"tid":[],"args":null}]}',
      '{"traceEvents":[{"ph":"b","ts":1,"id2":{"global":7}},{"ph":"e","ts":2,"id2":{"global":7}}]}',
      '{"traceEvents":[{"ph":"s","ts":1,"id":1},{"ph":"f","ts":0,"id":1}],"otherData":[]}',
      '{"traceEvents":[{"ph":"C","ts":1,"args":{"a":1,"b":2}},{"ph":"i","ts":2,"s":"p"}]}',
      '[{"ph":"X","ts":1e308,"dur":1e308,"pid":1,"tid":1},{"ph":"X","ts":-5,"dur":-1}]',
    ];
    for (const text of odd) {
      const result = parseTrace(text);
      assert.ok(result.ok || result.problem.message.length > 0, text);
    }
  });
});
