/**
 * Vertical layout of one or more runs: a header per run (when comparing), a header per process, a small
 * chart per counter, then one band per lane tall enough for its rows. Bands are sorted by y, so finding the
 * band under the pointer or the bands on screen is a binary search.
 */
import { Counter, Trace } from './model';

export interface LayoutRun {
  readonly trace: Trace;
  readonly label: string;
}

export interface LayoutMetrics {
  readonly rowHeight: number;
  readonly laneGap: number;
  readonly processHeader: number;
  readonly runHeader: number;
  readonly counterHeight: number;
}

export const DEFAULT_METRICS: LayoutMetrics = { rowHeight: 18, laneGap: 6, processHeader: 22, runHeader: 26, counterHeight: 30 };

interface BandBase {
  readonly runIndex: number;
  readonly y: number;
  readonly height: number;
  readonly label: string;
}

export type Band =
  | (BandBase & { readonly kind: 'run' })
  | (BandBase & { readonly kind: 'process'; readonly processIndex: number })
  | (BandBase & { readonly kind: 'counter'; readonly processIndex: number; readonly counter: Counter })
  | (BandBase & { readonly kind: 'lane'; readonly laneIndex: number; readonly rows: number });

export type LaneBand = Band & { readonly kind: 'lane' };

export interface TimelineLayout {
  readonly bands: readonly Band[];
  /** laneBands[runIndex][laneIndex], for drawing flows between lanes without a search. */
  readonly laneBands: readonly (readonly LaneBand[])[];
  readonly height: number;
  readonly metrics: LayoutMetrics;
}

/** `headers`: label each run with a band of its own, which comparing two runs needs. */
export function layoutRuns(runs: readonly LayoutRun[], metrics: LayoutMetrics = DEFAULT_METRICS, headers = runs.length > 1): TimelineLayout {
  const bands: Band[] = [];
  const laneBands: LaneBand[][] = [];
  let y = 0;
  runs.forEach((run, runIndex) => {
    const byLane: LaneBand[] = [];
    laneBands.push(byLane);
    if (headers) {
      bands.push({ kind: 'run', runIndex, y, height: metrics.runHeader, label: run.label });
      y += metrics.runHeader;
    }
    for (const process of run.trace.processes) {
      bands.push({ kind: 'process', runIndex, y, height: metrics.processHeader, label: process.name, processIndex: process.index });
      y += metrics.processHeader;
      for (const counter of process.counters) {
        bands.push({ kind: 'counter', runIndex, y, height: metrics.counterHeight, label: counter.name, processIndex: process.index, counter });
        y += metrics.counterHeight;
      }
      for (const laneIndex of process.lanes) {
        const lane = run.trace.lanes[laneIndex];
        const rows = Math.max(lane.rows.length, 1);
        const height = rows * metrics.rowHeight + metrics.laneGap;
        const band: LaneBand = { kind: 'lane', runIndex, y, height, label: lane.name, laneIndex, rows };
        bands.push(band);
        byLane[laneIndex] = band;
        y += height;
      }
    }
  });
  return { bands, laneBands, height: y, metrics };
}

/** Index of the band containing y, or -1 above the first band; the last band's index below the last. */
function bandIndexAt(bands: readonly Band[], y: number): number {
  let lo = 0;
  let hi = bands.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (bands[mid].y <= y) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

export function bandAt(layout: TimelineLayout, y: number): Band | undefined {
  const index = bandIndexAt(layout.bands, y);
  const band = layout.bands[index];
  return band && y < band.y + band.height ? band : undefined;
}

/** Bands that intersect `[top, bottom)`: the ones worth drawing. */
export function bandsBetween(layout: TimelineLayout, top: number, bottom: number): Band[] {
  const out: Band[] = [];
  for (let i = Math.max(bandIndexAt(layout.bands, top), 0); i < layout.bands.length && layout.bands[i].y < bottom; i++) {
    if (layout.bands[i].y + layout.bands[i].height > top) {
      out.push(layout.bands[i]);
    }
  }
  return out;
}

/** Top of row `depth` inside a lane band. */
export function rowTop(band: Band, depth: number, metrics: LayoutMetrics): number {
  return band.y + metrics.laneGap / 2 + depth * metrics.rowHeight;
}

/** Row under y inside a lane band, or -1 in the gap between lanes. */
export function rowAt(band: LaneBand, y: number, metrics: LayoutMetrics): number {
  const depth = Math.floor((y - band.y - metrics.laneGap / 2) / metrics.rowHeight);
  return depth >= 0 && depth < band.rows ? depth : -1;
}
