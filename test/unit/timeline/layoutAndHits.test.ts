import * as assert from 'node:assert/strict';
import { counterAt, hitTest } from '../../../src/core/timeline/hitTest';
import { bandAt, bandsBetween, DEFAULT_METRICS, layoutRuns, rowTop } from '../../../src/core/timeline/layout';
import { TimeScale } from '../../../src/core/timeline/timeScale';
import { fixtureTrace, laneNamed } from './traceFixtures';

describe('timeline: layout', () => {
  const trace = fixtureTrace('labkit-threadpool.json');
  const runs = [{ trace, label: 'run' }];
  const layout = layoutRuns(runs);

  it('stacks a header per process, its counters, then its lanes', () => {
    assert.deepEqual(
      layout.bands.map((b) => `${b.kind}:${b.label}`),
      ['process:MainProcess (pid 4242)', 'lane:MainThread', 'lane:ThreadPoolExecutor-0_0', 'lane:ThreadPoolExecutor-0_1', 'lane:ThreadPoolExecutor-0_2', 'lane:Lock 1', 'process:flag server (pid 4200)', 'counter:in flight', 'lane:flag server'],
    );
    layout.bands.forEach((band, i) => {
      const next = layout.bands[i + 1];
      assert.equal(next ? next.y : layout.height, band.y + band.height, 'bands touch without gaps or overlaps');
    });
    const worker = layout.laneBands[0][laneNamed(trace, 'ThreadPoolExecutor-0_0').index];
    assert.equal(worker.height, 3 * DEFAULT_METRICS.rowHeight + DEFAULT_METRICS.laneGap);
  });

  it('finds the band under a point and the bands in a range', () => {
    const lane = layout.bands[3];
    assert.equal(bandAt(layout, lane.y + 1), lane);
    assert.equal(bandAt(layout, -1), undefined);
    assert.equal(bandAt(layout, layout.height + 1), undefined);
    assert.deepEqual(bandsBetween(layout, lane.y + 1, lane.y + lane.height + 1), [lane, layout.bands[4]]);
  });

  it('puts two compared runs one above the other, each under its own header', () => {
    const compared = layoutRuns([{ trace, label: 'before' }, { trace: fixtureTrace('labkit-asyncio.json'), label: 'after' }]);
    const headers = compared.bands.filter((b) => b.kind === 'run');
    assert.deepEqual(headers.map((b) => [b.label, b.runIndex]), [['before', 0], ['after', 1]]);
    assert.equal(compared.bands[0].kind, 'run');
    assert.ok(compared.laneBands[1].length > 0);
  });
});

describe('timeline: hit testing', () => {
  const trace = fixtureTrace('labkit-threadpool.json');
  const runs = [{ trace, label: 'run' }];
  const layout = layoutRuns(runs);
  const scale = new TimeScale({ start: 0, end: 1_000_000 }, 100, 1000);
  const worker = laneNamed(trace, 'ThreadPoolExecutor-0_0');
  const band = layout.laneBands[0][worker.index];
  const rowMiddle = (depth: number) => rowTop(band, depth, layout.metrics) + layout.metrics.rowHeight / 2;

  it('finds the span under the pointer in each row', () => {
    const work = worker.rows[1][0];
    const x = scale.x((work.start + work.end) / 2);
    const hit = hitTest(layout, runs, scale, x, rowMiddle(1));
    assert.equal(hit?.kind, 'span');
    assert.equal(hit?.kind === 'span' && hit.span, work);
    const outer = hitTest(layout, runs, scale, x, rowMiddle(0));
    assert.equal(outer?.kind === 'span' && outer.span.kind, 'thread');
  });

  it('finds nothing in the gutter, between spans or between lanes', () => {
    assert.equal(hitTest(layout, runs, scale, 50, rowMiddle(0)), undefined);
    const gap = worker.rows[1][0].end + 20_000;
    assert.equal(hitTest(layout, runs, scale, scale.x(gap), rowMiddle(1)), undefined);
    assert.equal(hitTest(layout, runs, scale, scale.x(100_000), band.y + band.height - 1), undefined);
  });

  it('picks a marker near its line at the top of the lane', () => {
    const marker = worker.markers[0];
    const hit = hitTest(layout, runs, scale, scale.x(marker.t) + 2, band.y + 2);
    assert.equal(hit?.kind === 'marker' && hit.marker, marker);
  });

  it('reads a counter as a step function', () => {
    const counterBand = layout.bands.find((b) => b.kind === 'counter');
    assert.ok(counterBand?.kind === 'counter');
    const counter = counterBand.counter;
    assert.equal(counterAt(counter, -1), undefined);
    assert.equal(counterAt(counter, 100_000)?.value, 3);
    const hit = hitTest(layout, runs, scale, scale.x(100_000), counterBand.y + 5);
    assert.equal(hit?.kind === 'counter' && hit.point.value, 3);
  });
});
