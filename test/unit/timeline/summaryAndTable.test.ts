import * as assert from 'node:assert/strict';
import { compareText, laneCpuText, markerDetails, spanDetails, summaryText } from '../../../src/core/timeline/describe';
import { peakOverlap, summarizeTrace } from '../../../src/core/timeline/summary';
import { tablePage } from '../../../src/core/timeline/tableRows';
import { eventsTrace, fixtureTrace, laneNamed } from './traceFixtures';

describe('timeline: summary', () => {
  it('counts the most intervals at once, back-to-back ones not overlapping', () => {
    assert.deepEqual(peakOverlap(Float64Array.from([0, 10, 20]), Float64Array.from([10, 20, 30])), { value: 1, at: 0 });
    assert.deepEqual(peakOverlap(Float64Array.from([0, 5, 6, 50]), Float64Array.from([10, 7, 60, 55])), { value: 3, at: 6 });
  });

  it('reports wall time, peaks per kind, counter peaks and CPU per thread', () => {
    const summary = summarizeTrace(fixtureTrace('labkit-threadpool.json'));
    assert.equal(summary.wall, 1_000_000);
    assert.deepEqual(summary.peaks.map((p) => [p.what, p.value]), [['work', 3], ['request', 3], ['thread', 3]]);
    assert.deepEqual(summary.counters, [{ name: 'in flight', max: 3 }]);
    const main = summary.lanes.find((lane) => lane.name === 'MainThread');
    assert.deepEqual(main && [main.wall, main.cpu], [1_000_000, 120_000]);
    assert.equal(summaryText(summary), 'wall time 1 s \u00b7 at most 3 work items, 3 requests, 3 threads at once \u00b7 peak in flight: 3');
    assert.equal(laneCpuText(main!), 'MainThread: CPU 120 ms of 1 s wall (12%)');
  });

  it('counts tasks for asyncio and busy lanes for a foreign trace', () => {
    const asyncSummary = summarizeTrace(fixtureTrace('labkit-asyncio.json'));
    assert.deepEqual(asyncSummary.peaks.map((p) => [p.what, p.value]), [['task', 5], ['request', 2]]);
    const foreign = summarizeTrace(eventsTrace([
      { ph: 'X', name: 'a', ts: 0, dur: 10, pid: 1, tid: 1 },
      { ph: 'X', name: 'b', ts: 5, dur: 10, pid: 1, tid: 2 },
    ]));
    assert.deepEqual(foreign.peaks.map((p) => [p.what, p.value]), [['lanes', 2]]);
    assert.equal(laneCpuText(foreign.lanes[0]), 'Thread 1: 10 \u00b5s wall');
    const twoProcesses = summarizeTrace(eventsTrace([
      { ph: 'M', name: 'process_name', pid: 1, args: { name: 'MainProcess' } },
      { ph: 'M', name: 'process_name', pid: 2, args: { name: 'SpawnProcess-1' } },
      { ph: 'X', name: 'a', ts: 0, dur: 10, pid: 1, tid: 1, tdur: 4 },
      { ph: 'X', name: 'b', ts: 5, dur: 10, pid: 2, tid: 1 },
    ]));
    assert.deepEqual(twoProcesses.lanes.map(laneCpuText), ['MainProcess \u00b7 Thread 1: CPU 4 \u00b5s of 10 \u00b5s wall (40%)', 'SpawnProcess-1 \u00b7 Thread 1: 10 \u00b5s wall']);
  });

  it('says how a second run compares with the first', () => {
    const slow = { wall: 4_050_000, peaks: [], counters: [], lanes: [] };
    const fast = { wall: 220_000, peaks: [], counters: [], lanes: [] };
    assert.equal(compareText(slow, fast, ['sequential', 'pool']), 'pool (220 ms) ran 18\u00d7 faster than sequential (4.05 s)');
    assert.match(compareText(fast, slow, ['pool', 'sequential']), /18\u00d7 slower/);
    assert.match(compareText(fast, fast, ['a', 'b']), /about as fast as/);
  });
});

describe('timeline: details and table', () => {
  const trace = fixtureTrace('labkit-threadpool.json');

  it('describes a span and a marker in words, with the source to click', () => {
    const work = trace.spans.find((s) => s.kind === 'work' && s.args?.error !== undefined)!;
    const details = Object.fromEntries(spanDetails(trace, work).map((d) => [d.label, d.value]));
    assert.equal(details.kind, 'work item');
    assert.equal(details.duration, '250 ms');
    assert.equal(details.CPU, '9 ms (4% of its time)');
    assert.equal(details.source, 'flags.py:30 (click to open)');
    assert.equal(details.error, "HTTPError('500 Server Error')");
    assert.equal(details.lane, 'ThreadPoolExecutor-0_1 \u2014 MainProcess (pid 4242)');
    const marker = laneNamed(trace, 'ThreadPoolExecutor-0_0').markers[0];
    assert.deepEqual(markerDetails(trace, marker).slice(0, 2), [{ label: 'kind', value: 'lost update' }, { label: 'at', value: '600 ms' }]);
  });

  it('lists spans and markers in the visible range in time order, a page at a time', () => {
    const all = tablePage(trace, { start: 0, end: trace.duration }, 0, 10_000);
    assert.equal(all.total, trace.spans.length + trace.markers.length);
    for (let i = 1; i < all.rows.length; i++) {
      assert.ok(all.rows[i - 1].start <= all.rows[i].start);
    }
    const page = tablePage(trace, { start: 0, end: trace.duration }, 10, 5);
    assert.deepEqual(page.rows, all.rows.slice(10, 15));
    const late = tablePage(trace, { start: 940_000, end: 960_000 }, 0, 100);
    assert.ok(late.rows.some((row) => row.item.kind === 'marker' && row.kind === 'cancelled'));
    assert.ok(late.rows.every((row) => row.start <= 960_000 && row.start + (row.duration ?? 0) >= 940_000));
    assert.equal(tablePage(trace, { start: 0, end: trace.duration }, 1e9, 5).offset, all.total - 1, 'an offset past the end shows the last row');
  });
});
