/**
 * Places one lane's spans in rows so that no row holds two overlapping spans. That invariant is what lets the
 * renderer and hit-testing binary-search a row by time: within a row, sorted by start is also sorted by end.
 */
import { Span } from './model';

/**
 * `nested`: spans of a thread nest (a call inside a work item), so a span goes one row below the spans that
 * enclose it. Otherwise (async spans, which overlap freely) each span takes the first row that is free.
 * Sorts `spans` in place by start and sets each span's depth.
 */
export function placeInRows(spans: Span[], nested: boolean): Span[][] {
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const rows: Span[][] = [];
  const rowEnd: number[] = [];
  const stack: Span[] = [];
  for (const span of spans) {
    let depth = 0;
    if (nested) {
      // Cut the stack at the outermost span that has ended, not the innermost: a child that outlived its
      // parent by a clock tick must not push the parent's next sibling down a row.
      let keep = 0;
      while (keep < stack.length && stack[keep].end > span.start) {
        keep++;
      }
      stack.length = keep;
      depth = keep;
    }
    while (depth < rowEnd.length && rowEnd[depth] > span.start) {
      depth++;
    }
    if (depth === rows.length) {
      rows.push([]);
      rowEnd.push(-Infinity);
    }
    span.depth = depth;
    rows[depth].push(span);
    rowEnd[depth] = Math.max(rowEnd[depth], span.end);
    if (nested) {
      stack.push(span);
    }
  }
  return rows;
}
