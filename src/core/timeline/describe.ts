/**
 * Words for what the timeline shows: kind names for the legend, the detail lines of a tooltip, and the
 * summary line. Shared by the canvas tooltip and the table view so both say the same thing.
 */
import { formatDuration, formatPercent, formatRatio } from './format';
import { Counter, CounterPoint, Marker, MarkerKind, Span, SpanKind, Trace } from './model';
import { Peak, TraceSummary } from './summary';

export const KIND_LABELS: Readonly<Record<SpanKind, string>> = {
  process: 'process',
  thread: 'thread',
  task: 'task',
  step: 'task step',
  work: 'work item',
  lockWait: 'lock wait',
  lockHold: 'lock hold',
  request: 'request',
  call: 'call',
  other: 'other',
};

export const MARKER_LABELS: Readonly<Record<MarkerKind, string>> = {
  lostUpdate: 'lost update',
  error: 'error',
  cancel: 'cancelled',
  other: 'marker',
};

const PEAK_NOUNS: Readonly<Record<Peak['what'], readonly [string, string]>> = {
  process: ['process', 'processes'],
  thread: ['thread', 'threads'],
  task: ['task', 'tasks'],
  step: ['task step', 'task steps'],
  work: ['work item', 'work items'],
  lockWait: ['lock wait', 'lock waits'],
  lockHold: ['lock hold', 'lock holds'],
  request: ['request', 'requests'],
  call: ['call', 'calls'],
  other: ['span', 'spans'],
  lanes: ['lane busy', 'lanes busy'],
};

export interface Detail {
  readonly label: string;
  readonly value: string;
}

/** Args the tooltip already shows in its own words, or that only matter to the recorder. */
const SHOWN_ARGS = new Set(['file', 'line', 'cpuUs', 'unfinished']);
const MAX_ARGS = 8;
const MAX_ARG_CHARS = 120;

function argText(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > MAX_ARG_CHARS ? `${text.slice(0, MAX_ARG_CHARS - 1)}\u2026` : text;
}

function argDetails(args: Readonly<Record<string, unknown>> | undefined): Detail[] {
  if (!args) {
    return [];
  }
  return Object.entries(args)
    .filter(([key]) => !SHOWN_ARGS.has(key))
    .slice(0, MAX_ARGS)
    .map(([key, value]) => ({ label: key, value: argText(value) }));
}

export function sourceText(source: { readonly file: string; readonly line: number } | undefined): string | undefined {
  return source ? `${source.file}:${source.line}` : undefined;
}

export function laneLabel(trace: Trace, laneIndex: number | undefined): string {
  if (laneIndex === undefined) {
    return '';
  }
  const lane = trace.lanes[laneIndex];
  return lane ? `${lane.name} \u2014 ${trace.processes[lane.processIndex]?.name ?? ''}` : '';
}

export function spanDetails(trace: Trace, span: Span): Detail[] {
  const duration = span.end - span.start;
  const details: Detail[] = [
    { label: 'kind', value: KIND_LABELS[span.kind] },
    { label: 'lane', value: laneLabel(trace, span.laneIndex) },
    { label: 'start', value: formatDuration(span.start) },
    { label: 'duration', value: `${formatDuration(duration)}${span.unfinished ? ' (still running when the trace stopped)' : ''}` },
  ];
  if (span.cpu !== undefined) {
    details.push({ label: 'CPU', value: `${formatDuration(span.cpu)}${duration > 0 ? ` (${formatPercent(span.cpu / duration)} of its time)` : ''}` });
  }
  const source = sourceText(span.source);
  if (source) {
    details.push({ label: 'source', value: `${source} (click to open)` });
  }
  return details.concat(argDetails(span.args));
}

export function markerDetails(trace: Trace, marker: Marker): Detail[] {
  const details: Detail[] = [
    { label: 'kind', value: MARKER_LABELS[marker.kind] },
    { label: 'at', value: formatDuration(marker.t) },
  ];
  if (marker.laneIndex !== undefined) {
    details.push({ label: 'lane', value: laneLabel(trace, marker.laneIndex) });
  }
  const source = sourceText(marker.source);
  if (source) {
    details.push({ label: 'source', value: `${source} (click to open)` });
  }
  return details.concat(argDetails(marker.args));
}

export function counterDetails(counter: Counter, point: CounterPoint): Detail[] {
  return [
    { label: 'at', value: formatDuration(point.t) },
    { label: 'value', value: String(point.value) },
    { label: 'peak', value: String(counter.max) },
  ];
}

export function peakText(peak: Peak): string {
  const [one, many] = PEAK_NOUNS[peak.what];
  return `${peak.value} ${peak.value === 1 ? one : many}`;
}

/** "wall 4.05 s · at most 20 work items, 20 threads at once · in flight ≤ 5" */
export function summaryText(summary: TraceSummary): string {
  const parts = [`wall time ${formatDuration(summary.wall)}`];
  if (summary.peaks.length > 0) {
    parts.push(`at most ${summary.peaks.map(peakText).join(', ')} at once`);
  }
  for (const counter of summary.counters) {
    parts.push(`peak ${counter.name}: ${counter.max}`);
  }
  return parts.join(' \u00b7 ');
}

/** "MainThread: CPU 0.1 s of 4.05 s (3%)", or busy time alone when the trace has no CPU times. */
export function laneCpuText(lane: TraceSummary['lanes'][number]): string {
  if (lane.cpu === undefined) {
    return `${lane.name}: ${formatDuration(lane.wall)} wall`;
  }
  const share = lane.wall > 0 ? ` (${formatPercent(lane.cpu / lane.wall)})` : '';
  return `${lane.name}: CPU ${formatDuration(lane.cpu)} of ${formatDuration(lane.wall)} wall${share}`;
}

/** How the second run compares with the first: the headline of a comparison. */
export function compareText(first: TraceSummary, second: TraceSummary, labels: readonly [string, string]): string {
  if (first.wall <= 0 || second.wall <= 0) {
    return `${labels[0]}: ${formatDuration(first.wall)} \u00b7 ${labels[1]}: ${formatDuration(second.wall)}`;
  }
  const ratio = first.wall / second.wall;
  const verdict =
    Math.abs(ratio - 1) < 0.05 ? 'about as fast as' : ratio > 1 ? `${formatRatio(ratio)} faster than` : `${formatRatio(1 / ratio)} slower than`;
  return `${labels[1]} (${formatDuration(second.wall)}) ran ${verdict} ${labels[0]} (${formatDuration(first.wall)})`;
}
