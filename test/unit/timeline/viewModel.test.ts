import * as assert from 'node:assert/strict';
import { formatDuration, formatPercent, formatRatio, formatTick } from '../../../src/core/timeline/format';
import { Span } from '../../../src/core/timeline/model';
import { placeInRows } from '../../../src/core/timeline/rows';
import { clampViewport, fitViewport, focusViewport, MIN_VIEW_US, panViewport, TimeScale, timeTicks, zoomViewport } from '../../../src/core/timeline/timeScale';
import { SpanRect, visibleRects } from '../../../src/core/timeline/visible';
import { lcg, span } from './traceFixtures';

function rowsOf(spans: Span[], nested: boolean): string[][] {
  return placeInRows(spans, nested).map((row) => row.map((s) => s.name));
}

function assertRowInvariant(rows: readonly (readonly Span[])[]): void {
  for (const row of rows) {
    for (let i = 1; i < row.length; i++) {
      assert.ok(row[i - 1].end <= row[i].start, `overlap in a row: ${row[i - 1].name} and ${row[i].name}`);
    }
  }
}

describe('timeline: rows', () => {
  it('nests enclosed spans one row down and keeps siblings on their parent\'s row', () => {
    const spans = [span(0, 100, { name: 'a' }), span(10, 40, { name: 'b' }), span(50, 90, { name: 'c' }), span(60, 70, { name: 'd' }), span(100, 150, { name: 'e' })];
    assert.deepEqual(rowsOf(spans, true), [['a', 'e'], ['b', 'c'], ['d']]);
  });

  it('keeps the next sibling on top when a child outlives its parent by a tick', () => {
    const spans = [span(0, 10, { name: 'p' }), span(5, 11, { name: 'child' }), span(10, 20, { name: 'p2' }), span(12, 15, { name: 'child2' })];
    assert.deepEqual(rowsOf(spans, true), [['p', 'p2'], ['child', 'child2']]);
  });

  it('packs overlapping async spans into the first free row', () => {
    const spans = [span(0, 10, { name: 'a' }), span(5, 15, { name: 'b' }), span(10, 20, { name: 'c' }), span(16, 30, { name: 'd' }), span(17, 18, { name: 'e' })];
    assert.deepEqual(rowsOf(spans, false), [['a', 'c'], ['b', 'd'], ['e']]);
  });

  it('never puts overlapping spans in one row, whatever the input', () => {
    const random = lcg(7);
    for (const nested of [true, false]) {
      const spans = Array.from({ length: 2000 }, (_, i) => {
        const start = Math.floor(random() * 10_000);
        return span(start, start + Math.floor(random() * 500), { name: `s${i}` });
      });
      const rows = placeInRows(spans, nested);
      assertRowInvariant(rows);
      assert.equal(rows.flat().length, 2000);
      rows.forEach((row, depth) => assert.ok(row.every((s) => s.depth === depth)));
    }
  });
});

describe('timeline: time scale', () => {
  const domain = { start: 0, end: 1_000_000 };

  it('fits the run with a little room either side', () => {
    const view = fitViewport(domain);
    assert.ok(view.start < 0 && view.end > 1_000_000);
    assert.ok(view.end - view.start < 1_100_000);
  });

  it('zooms around the anchor: the time under the cursor stays put', () => {
    const view = { start: 0, end: 1000 };
    const scale = new TimeScale(view, 100, 500);
    const x = 350;
    const before = scale.t(x);
    const zoomed = zoomViewport(view, domain, 4, scale.fraction(x));
    assert.equal(zoomed.end - zoomed.start, 250);
    assert.ok(Math.abs(new TimeScale(zoomed, 100, 500).t(x) - before) < 1e-9);
    const out = zoomViewport(zoomed, domain, 1 / 4, scale.fraction(x));
    assert.ok(Math.abs(out.start - view.start) < 1e-9 && Math.abs(out.end - view.end) < 1e-9);
  });

  it('stops zooming in at a microsecond and out at the run plus overscroll', () => {
    let view = { start: 0, end: 1000 };
    for (let i = 0; i < 50; i++) {
      view = zoomViewport(view, domain, 10);
    }
    assert.ok(Math.abs(view.end - view.start - MIN_VIEW_US) < 1e-9);
    for (let i = 0; i < 50; i++) {
      view = zoomViewport(view, domain, 0.1);
    }
    assert.equal(view.end - view.start, 1_500_000);
  });

  it('pans and clamps so the run never leaves the screen entirely', () => {
    const view = { start: 0, end: 100_000 };
    assert.deepEqual(panViewport(view, domain, 50_000), { start: 50_000, end: 150_000 });
    const far = panViewport(view, domain, 10_000_000);
    assert.equal(far.end, 1_250_000);
    assert.equal(clampViewport({ start: NaN, end: 10 }, domain).start, 0);
  });

  it('focuses on a span with room around it', () => {
    const view = focusViewport(400, 500, domain);
    assert.ok(view.start < 400 && view.end > 500 && view.end - view.start <= 121);
  });

  it('maps time to pixels and back', () => {
    const scale = new TimeScale({ start: 1000, end: 3000 }, 50, 400);
    assert.equal(scale.x(1000), 50);
    assert.equal(scale.x(3000), 450);
    assert.equal(scale.t(scale.x(1234)), 1234);
  });

  it('picks round ticks at least the minimum spacing apart', () => {
    for (const [start, end] of [[0, 1_000_000], [0, 7], [123_456, 124_000], [-50_000, 4_050_000]]) {
      const ticks = timeTicks({ start, end }, 800, 80);
      const mantissa = ticks.step / Math.pow(10, Math.floor(Math.log10(ticks.step)));
      assert.ok([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-9), `step ${ticks.step}`);
      assert.ok((ticks.step / (end - start)) * 800 >= 80);
      assert.ok(ticks.values.length >= 2 && ticks.values.every((v) => v >= start && v <= end));
    }
  });
});

describe('timeline: formatting', () => {
  it('formats durations to about three significant figures', () => {
    assert.equal(formatDuration(0), '0 \u00b5s');
    assert.equal(formatDuration(850), '850 \u00b5s');
    assert.equal(formatDuration(12_345), '12.3 ms');
    assert.equal(formatDuration(4_050_000), '4.05 s');
    assert.equal(formatDuration(123_000_000), '2 min 3 s');
  });

  it('labels ticks with just enough digits', () => {
    assert.equal(formatTick(30, 10), '30 \u00b5s');
    assert.equal(formatTick(300, 100), '0.3 ms');
    assert.equal(formatTick(1500, 500), '1.5 ms');
    assert.equal(formatTick(2_000_000, 1_000_000), '2 s');
    assert.equal(formatTick(2_500_000, 500_000), '2.5 s');
    assert.equal(formatTick(200_000, 50_000), '200 ms');
  });

  it('formats ratios and percentages', () => {
    assert.equal(formatRatio(18.4), '18\u00d7');
    assert.equal(formatRatio(1.43), '1.4\u00d7');
    assert.equal(formatPercent(0.034), '3%');
  });
});

describe('timeline: visible spans', () => {
  const view = { start: 0, end: 1000 };
  const scale = new TimeScale(view, 0, 1000);

  function rectsOf(row: readonly Span[], s = scale): SpanRect[] {
    const out: SpanRect[] = [];
    visibleRects(row, s, out);
    return out;
  }

  it('returns only spans on screen, each wide enough to see', () => {
    const row = [span(-500, -100), span(-50, 20), span(100, 300), span(990, 1200), span(1500, 2000)];
    const rects = rectsOf(row);
    assert.deepEqual(rects.map((r) => r.span.start), [-50, 100, 990]);
    assert.ok(rects.every((r) => r.w >= 1 && r.count === 1));
  });

  it('merges sub-pixel spans into one rectangle per run of pixels, counting them all', () => {
    const row = Array.from({ length: 1000 }, (_, i) => span(i * 0.1, i * 0.1 + 0.05));
    const rects = rectsOf(row);
    assert.equal(rects.length, 1);
    assert.equal(rects[0].count, 1000);
    assert.ok(rects[0].w >= 99 && rects[0].w <= 101);
  });

  it('does not swallow a wide span that starts inside a pixel of narrow ones', () => {
    const row = [span(10.1, 10.2), span(10.3, 10.4), span(10.6, 400)];
    const rects = rectsOf(row);
    assert.equal(rects.length, 2);
    assert.equal(rects[0].count, 2);
    assert.equal(rects[1].span.end, 400);
  });

  it('touches about as many spans as there are pixels, not as many as there are spans', () => {
    const row = Array.from({ length: 100_000 }, (_, i) => span(i * 10, i * 10 + 4));
    const whole = new TimeScale({ start: 0, end: 1_000_000 }, 0, 1000);
    const rects = rectsOf(row, whole);
    assert.ok(rects.length <= 1001, `${rects.length} rectangles`);
    assert.equal(rects.reduce((sum, r) => sum + r.count, 0), 100_000);
    const zoomed = new TimeScale({ start: 500_000, end: 500_100 }, 0, 1000);
    assert.deepEqual(rectsOf(row, zoomed).map((r) => r.span.start), [500_000, 500_010, 500_020, 500_030, 500_040, 500_050, 500_060, 500_070, 500_080, 500_090, 500_100]);
  });
});
