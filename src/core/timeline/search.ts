/**
 * Binary searches over time-sorted arrays: the reason 100,000 spans stay smooth is that a frame only ever
 * touches the spans on screen.
 */

/** First index in `[from, items.length)` whose key is >= `value`; `items.length` if none. Keys must not decrease. */
export function lowerBound<T>(items: readonly T[], value: number, key: (item: T) => number, from = 0): number {
  let lo = from;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(items[mid]) < value) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

export const startOf = (item: { readonly start: number }): number => item.start;
export const endOf = (item: { readonly end: number }): number => item.end;
export const timeOf = (item: { readonly t: number }): number => item.t;
