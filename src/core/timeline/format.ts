/**
 * Durations and times in the units a person reads at a glance: µs, ms, s. Times are microseconds throughout.
 */

const MICRO = '\u00b5s';

/** Fixed digits without trailing zeros after the point: "4.05", "4.1", "850". */
function trimmed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/** "850 µs", "12.3 ms", "4.05 s", "2 min 3 s": three significant figures is what the eye compares. */
export function formatDuration(us: number): string {
  const abs = Math.abs(us);
  if (abs < 1000) {
    return `${trimmed(us, abs < 10 ? 2 : abs < 100 ? 1 : 0)} ${MICRO}`;
  }
  if (abs < 1_000_000) {
    const ms = us / 1000;
    return `${trimmed(ms, Math.abs(ms) < 10 ? 2 : Math.abs(ms) < 100 ? 1 : 0)} ms`;
  }
  if (abs < 60_000_000) {
    const s = us / 1_000_000;
    return `${trimmed(s, Math.abs(s) < 10 ? 2 : 1)} s`;
  }
  const minutes = Math.floor(abs / 60_000_000);
  const seconds = Math.round((abs - minutes * 60_000_000) / 1_000_000);
  return `${us < 0 ? '-' : ''}${minutes} min ${seconds} s`;
}

/** A tick label: the unit follows the step, and the digits are just enough to tell neighbouring ticks apart. */
export function formatTick(t: number, step: number): string {
  // A unit one step coarser than the step itself reads better: "1.5 ms" rather than "1500 µs".
  const [unit, divisor] = step >= 100_000 ? ['s', 1_000_000] : step >= 100 ? ['ms', 1000] : [MICRO, 1];
  const stepInUnit = step / divisor;
  const digits = Math.max(0, Math.ceil(-Math.log10(stepInUnit) - 1e-9));
  const value = t / divisor;
  return `${value.toFixed(digits)} ${unit}`;
}

/** "3×" or "1.4×" — how many times faster the second run was than the first. */
export function formatRatio(ratio: number): string {
  return `${trimmed(ratio, ratio >= 10 ? 0 : 1)}\u00d7`;
}

export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
