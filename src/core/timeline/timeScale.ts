/**
 * The visible time range and its mapping to pixels: zoom around a point, pan, reset, clamp, and axis ticks.
 * Pure arithmetic on numbers, so every gesture's effect is unit-tested without a browser.
 */

/** A visible time range in µs; `end > start` always. */
export interface Viewport {
  readonly start: number;
  readonly end: number;
}

/** The range a viewport may show: the run (or the longest of compared runs). */
export interface TimeDomain {
  readonly start: number;
  readonly end: number;
}

/** Deeper than a microsecond tells nothing: the recorder's clock is no finer. */
export const MIN_VIEW_US = 1;
/** Room around the run when fitted, so the first and last spans do not touch the edges. */
const FIT_PADDING = 0.02;
/** How far past the run one may pan or zoom out, as a fraction of the run. */
const OVERSCROLL = 0.25;

function width(domain: TimeDomain): number {
  return Math.max(domain.end - domain.start, MIN_VIEW_US);
}

export function fitViewport(domain: TimeDomain): Viewport {
  const pad = width(domain) * FIT_PADDING;
  return { start: domain.start - pad, end: domain.start + width(domain) + pad };
}

/** Keeps a viewport inside the domain's overscroll and between the deepest and widest zoom. */
export function clampViewport(view: Viewport, domain: TimeDomain): Viewport {
  const slack = width(domain) * OVERSCROLL;
  const min = domain.start - slack;
  const max = domain.start + width(domain) + slack;
  const wanted = view.end - view.start;
  // A broken view (NaN from a restored state, say) falls back to the whole run rather than vanishing.
  const span = Number.isFinite(wanted) ? Math.min(Math.max(wanted, MIN_VIEW_US), max - min) : width(domain);
  const start = Number.isFinite(view.start) ? view.start : domain.start;
  const clamped = Math.min(Math.max(start, min), max - span);
  return { start: clamped, end: clamped + span };
}

/**
 * Zooms by `factor` (>1 zooms in) keeping the time under `anchor` (0 = left edge, 1 = right edge) still,
 * which is what makes wheel zoom feel anchored to the cursor.
 */
export function zoomViewport(view: Viewport, domain: TimeDomain, factor: number, anchor = 0.5): Viewport {
  const span = view.end - view.start;
  const fraction = Math.min(Math.max(anchor, 0), 1);
  const pivot = view.start + span * fraction;
  const next = Math.max(span / factor, MIN_VIEW_US);
  return clampViewport({ start: pivot - next * fraction, end: pivot + next * (1 - fraction) }, domain);
}

/** Moves the view by `delta` µs (positive shows later times). */
export function panViewport(view: Viewport, domain: TimeDomain, delta: number): Viewport {
  return clampViewport({ start: view.start + delta, end: view.end + delta }, domain);
}

/** Shows exactly `[start, end]` (a span double-clicked, say), with a little room either side. */
export function focusViewport(start: number, end: number, domain: TimeDomain): Viewport {
  const span = Math.max(end - start, MIN_VIEW_US * 10);
  const pad = span * 0.1;
  return clampViewport({ start: start - pad, end: start + span + pad }, domain);
}

/** Maps times in a viewport to x pixels in `[left, left + pixels]`. */
export class TimeScale {
  readonly pxPerUs: number;

  constructor(
    readonly view: Viewport,
    readonly left: number,
    readonly pixels: number,
  ) {
    this.pxPerUs = pixels / (view.end - view.start);
  }

  x(t: number): number {
    return this.left + (t - this.view.start) * this.pxPerUs;
  }

  t(x: number): number {
    return this.view.start + (x - this.left) / this.pxPerUs;
  }

  /** Fraction of the way across the plot, for zooming around a pointer. */
  fraction(x: number): number {
    return (x - this.left) / this.pixels;
  }
}

export interface Ticks {
  readonly step: number;
  readonly values: readonly number[];
}

/** Round ticks (1, 2 or 5 times a power of ten µs) at least `minSpacing` px apart. */
export function timeTicks(view: Viewport, pixels: number, minSpacing = 80): Ticks {
  const span = view.end - view.start;
  const raw = (span * minSpacing) / Math.max(pixels, 1);
  const power = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-3))));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const values: number[] = [];
  for (let v = Math.ceil(view.start / step) * step; v <= view.end && values.length < 1000; v += step) {
    // Stepping accumulates float error; snapping to the step keeps labels like "0.3 ms" exact.
    values.push(Math.round(v / step) * step);
  }
  return { step, values };
}
