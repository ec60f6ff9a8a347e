// The bench's rows, their verdicts against the targets, and the table printed at the end.
import { summarize } from './stats.mjs';

/**
 * One figure: `samples` (numbers, already one per run) summarized, with a `target` of { max } (the
 * median must not exceed it) or none for a reference shown beside a figure. `error` marks a figure that
 * could not be measured, with the reason.
 */
export function row(group, figure, unit, samples, { target, note, error, extra } = {}) {
  return { group, figure, unit, ...summarize(samples), ...(target ? { target } : {}), ...(note ? { note } : {}), ...(error ? { error } : {}), ...(extra ? { extra } : {}) };
}

/** A row for a figure whose measurement failed: it stays in the table, marked, with why. */
export function failedRow(group, figure, unit, error, target) {
  return row(group, figure, unit, [], { target, error: String(error?.message ?? error).split('\n')[0] });
}

/** ✓ within target, ✗ over it, ? not measured, blank for a reference without a target. */
export function verdict(entry) {
  if (entry.error || entry.median === null) {
    return '?';
  }
  if (!entry.target) {
    return '';
  }
  return entry.median <= entry.target.max ? '✓' : '✗';
}

export function formatValue(value, unit) {
  if (value === null || value === undefined) {
    return '–';
  }
  switch (unit) {
    case 'ms':
      return `${Math.abs(value) < 10 ? value.toFixed(1) : Math.round(value)} ms`;
    case 'KB':
      return `${value.toFixed(1)} KB`;
    case 'x':
      return `${value.toFixed(2)}x`;
    case 'errors':
      return `${Math.round(value)} errors`;
    default:
      return `${value} ${unit}`;
  }
}

export function formatTarget(entry) {
  return entry.target ? `≤ ${formatValue(entry.target.max, entry.unit)}` : '';
}

/** Columns padded to their widest cell; a failed figure gets its reason on the line below. */
export function formatTable(rows) {
  const header = ['figure', 'median', 'min', 'max', 'target', ''];
  const cells = rows.map((entry) => [
    entry.figure,
    formatValue(entry.median, entry.unit),
    formatValue(entry.min, entry.unit),
    formatValue(entry.max, entry.unit),
    formatTarget(entry),
    verdict(entry),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column].length)));
  const align = (line) => line.map((cell, column) => (column === 0 || column === 5 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ').trimEnd();
  const lines = [align(header), widths.map((width) => '─'.repeat(width)).join('  ').trimEnd()];
  rows.forEach((entry, index) => {
    lines.push(align(cells[index]));
    if (entry.error) {
      lines.push(`    not measured: ${entry.error}`);
    }
  });
  return lines.join('\n');
}

/** How many rows with a target met it, missed it, or were not measured. */
export function tally(rows) {
  const counts = { met: 0, missed: 0, unmeasured: 0 };
  for (const entry of rows) {
    const mark = verdict(entry);
    if (mark === '✓') {
      counts.met += 1;
    } else if (mark === '✗') {
      counts.missed += 1;
    } else if (mark === '?') {
      counts.unmeasured += 1;
    }
  }
  return counts;
}
