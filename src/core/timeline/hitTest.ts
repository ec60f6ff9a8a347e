/**
 * What is under the pointer: a marker, a span, or a counter's value. Searches only the band and row under
 * the pointer, by time, so hovering stays instant with 100,000 spans.
 */
import { bandAt, LaneBand, LayoutRun, rowAt, TimelineLayout } from './layout';
import { Counter, CounterPoint, Marker, Span } from './model';
import { endOf, lowerBound, timeOf } from './search';
import { TimeScale } from './timeScale';

export type Hit =
  | { readonly kind: 'span'; readonly runIndex: number; readonly span: Span }
  | { readonly kind: 'marker'; readonly runIndex: number; readonly marker: Marker }
  | { readonly kind: 'counter'; readonly runIndex: number; readonly counter: Counter; readonly point: CounterPoint };

/** How close, in pixels, the pointer must be to a thin span or a marker to pick it. */
export const HIT_SLOP_PX = 4;

/** The marker nearest to x among time-sorted `markers`, if within the slop. */
export function markerNear(markers: readonly Marker[], scale: TimeScale, x: number): Marker | undefined {
  const i = lowerBound(markers, scale.t(x), timeOf);
  return nearest([markers[i - 1], markers[i]], (marker) => Math.abs(scale.x(marker.t) - x));
}

/** The closer of the neighbours either side of the pointer, if within the slop. */
function nearest<T>(candidates: readonly (T | undefined)[], distance: (item: T) => number): T | undefined {
  let best: T | undefined;
  let bestDistance = HIT_SLOP_PX;
  for (const candidate of candidates) {
    if (candidate !== undefined && distance(candidate) <= bestDistance) {
      best = candidate;
      bestDistance = distance(candidate);
    }
  }
  return best;
}

/** The span under x in a row, or the nearest one within the slop (sub-pixel spans are hard to hit). */
export function spanNear(row: readonly Span[], scale: TimeScale, x: number): Span | undefined {
  const t = scale.t(x);
  const i = lowerBound(row, t, endOf);
  const inside = row[i];
  if (inside && inside.start <= t) {
    return inside;
  }
  return nearest([row[i - 1], row[i]], (candidate) => Math.min(Math.abs(scale.x(candidate.start) - x), Math.abs(scale.x(candidate.end) - x)));
}

/** The counter's value at time t: counters hold their last sample until the next. */
export function counterAt(counter: Counter, t: number): CounterPoint | undefined {
  const i = lowerBound(counter.points, t, timeOf);
  const exact = counter.points[i];
  return exact && exact.t === t ? exact : counter.points[i - 1];
}

/** `markerZone`: the top of a lane band, in pixels, where marker glyphs are drawn over the spans. */
export function hitTest(layout: TimelineLayout, runs: readonly LayoutRun[], scale: TimeScale, x: number, y: number, markerZone = 8): Hit | undefined {
  if (x < scale.left) {
    return undefined;
  }
  const band = bandAt(layout, y);
  if (!band) {
    return undefined;
  }
  const trace = runs[band.runIndex].trace;
  switch (band.kind) {
    case 'run':
      return undefined;
    case 'process': {
      const marker = markerNear(trace.processes[band.processIndex].markers, scale, x);
      return marker ? { kind: 'marker', runIndex: band.runIndex, marker } : undefined;
    }
    case 'counter': {
      const point = counterAt(band.counter, scale.t(x));
      return point ? { kind: 'counter', runIndex: band.runIndex, counter: band.counter, point } : undefined;
    }
    case 'lane':
      return laneHit(band, trace.lanes[band.laneIndex], layout, scale, x, y, markerZone);
  }
}

function laneHit(band: LaneBand, lane: { readonly rows: readonly (readonly Span[])[]; readonly markers: readonly Marker[] }, layout: TimelineLayout, scale: TimeScale, x: number, y: number, markerZone: number): Hit | undefined {
  if (y < band.y + markerZone) {
    const marker = markerNear(lane.markers, scale, x);
    if (marker) {
      return { kind: 'marker', runIndex: band.runIndex, marker };
    }
  }
  const depth = rowAt(band, y, layout.metrics);
  const row = depth >= 0 ? lane.rows[depth] : undefined;
  const span = row ? spanNear(row, scale, x) : undefined;
  return span ? { kind: 'span', runIndex: band.runIndex, span } : undefined;
}
