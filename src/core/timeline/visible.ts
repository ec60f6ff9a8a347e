/**
 * What to draw of one row at the current zoom: the spans on screen, found by binary search, with runs of
 * spans narrower than a pixel merged into one rectangle. Cost per frame grows with the pixels on screen,
 * not with the spans in the trace.
 */
import { Span } from './model';
import { endOf, lowerBound, startOf } from './search';
import { TimeScale } from './timeScale';

export interface SpanRect {
  readonly x: number;
  /** At least one pixel, so every span stays visible at any zoom. */
  w: number;
  /** The first span drawn here: its kind gives the colour. */
  readonly span: Span;
  /** More than one when sub-pixel spans were merged. */
  count: number;
}

/** Appends the rectangles for `row` (sorted, non-overlapping spans) that fall inside `scale`'s view. */
export function visibleRects(row: readonly Span[], scale: TimeScale, out: SpanRect[]): void {
  const { start, end } = scale.view;
  let i = lowerBound(row, start, endOf);
  let merged: SpanRect | undefined;
  while (i < row.length && row[i].start <= end) {
    const span = row[i];
    const x0 = scale.x(span.start);
    const x1 = scale.x(span.end);
    if (x1 - x0 >= 1) {
      out.push({ x: x0, w: x1 - x0, span, count: 1 });
      merged = undefined;
      i++;
      continue;
    }
    // Every span starting in this pixel column is folded into it, except a last one that runs on past the
    // next column: only the last can, because spans in a row never overlap.
    const column = Math.floor(x0);
    let next = lowerBound(row, scale.t(column + 1), startOf, i + 1);
    if (next - 1 > i && scale.x(row[next - 1].end) >= column + 2) {
      next--;
    }
    if (merged && merged.x + merged.w >= column) {
      merged.w = column + 1 - merged.x;
      merged.count += next - i;
    } else {
      merged = { x: column, w: 1, span, count: next - i };
      out.push(merged);
    }
    i = next;
  }
}
