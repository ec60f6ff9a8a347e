/**
 * The numbers a learner compares between attempts: how long the run took, how much ran at once, and for
 * each thread how much of its life it spent on the CPU (threads waiting on I/O show a small share; with
 * the GIL, CPU-bound threads add up to no more than one core).
 */
import { Lane, SpanKind, Trace } from './model';

export interface Peak {
  /** What ran at once: a span kind, or lanes busy for a trace with no kinds the timeline knows. */
  readonly what: SpanKind | 'lanes';
  readonly value: number;
  /** When the peak was first reached (µs). */
  readonly at: number;
}

export interface LaneSummary {
  readonly laneIndex: number;
  readonly name: string;
  /** From the lane's first span start to its last span end (µs). */
  readonly wall: number;
  /** CPU time of its outermost spans, when the trace recorded it. */
  readonly cpu: number | undefined;
}

export interface TraceSummary {
  readonly wall: number;
  /** One per kind of concurrent unit present, most telling first. */
  readonly peaks: readonly Peak[];
  readonly counters: readonly { readonly name: string; readonly max: number }[];
  /** Thread lanes only: CPU time means nothing for a task's or request's lane. */
  readonly lanes: readonly LaneSummary[];
}

/** Kinds whose overlap is "concurrency" in these labs, most telling first. */
const UNITS: readonly SpanKind[] = ['work', 'task', 'request', 'thread', 'process'];

/** Most at once among intervals; back-to-back intervals (one ends as the next starts) do not overlap. */
export function peakOverlap(starts: Float64Array, ends: Float64Array): { value: number; at: number } {
  starts.sort();
  ends.sort();
  let value = 0;
  let at = 0;
  let current = 0;
  let e = 0;
  for (let s = 0; s < starts.length; s++) {
    while (e < ends.length && ends[e] <= starts[s]) {
      e++;
      current--;
    }
    current++;
    if (current > value) {
      value = current;
      at = starts[s];
    }
  }
  return { value, at };
}

function peakOf(intervals: readonly { readonly start: number; readonly end: number }[]): { value: number; at: number } {
  const starts = new Float64Array(intervals.length);
  const ends = new Float64Array(intervals.length);
  intervals.forEach((interval, i) => {
    starts[i] = interval.start;
    ends[i] = interval.end;
  });
  return peakOverlap(starts, ends);
}

function laneSummary(lane: Lane, name: string): LaneSummary | undefined {
  const outer = lane.rows[0];
  if (!outer || outer.length === 0) {
    return undefined;
  }
  let cpu: number | undefined;
  for (const span of outer) {
    if (span.cpu !== undefined) {
      cpu = (cpu ?? 0) + span.cpu;
    }
  }
  return { laneIndex: lane.index, name, wall: outer[outer.length - 1].end - outer[0].start, cpu };
}

export function summarizeTrace(trace: Trace): TraceSummary {
  const byKind = new Map<SpanKind, { start: number; end: number }[]>();
  for (const span of trace.spans) {
    if (UNITS.includes(span.kind)) {
      const list = byKind.get(span.kind) ?? [];
      list.push(span);
      byKind.set(span.kind, list);
    }
  }
  const peaks: Peak[] = [];
  for (const kind of UNITS) {
    const spans = byKind.get(kind);
    const peak = spans ? peakOf(spans) : undefined;
    // One process is every program; only more than one says something.
    if (peak && (kind !== 'process' || peak.value > 1)) {
      peaks.push({ what: kind, ...peak });
    }
  }
  if (peaks.length === 0) {
    // A foreign trace: count threads that were inside some outermost span at once.
    const outer = trace.lanes.filter((lane) => !lane.async).flatMap((lane) => lane.rows[0] ?? []);
    if (outer.length > 0) {
      peaks.push({ what: 'lanes', ...peakOf(outer) });
    }
  }
  // Every process has a MainThread: with several, say whose.
  const several = trace.processes.filter((process) => process.lanes.some((index) => !trace.lanes[index].async)).length > 1;
  const lanes = trace.lanes
    .filter((lane) => !lane.async)
    .flatMap((lane) => laneSummary(lane, several ? `${trace.processes[lane.processIndex].name} \u00b7 ${lane.name}` : lane.name) ?? []);
  return {
    wall: trace.duration,
    peaks,
    counters: trace.counters.map((counter) => ({ name: counter.name, max: counter.max })),
    lanes,
  };
}
