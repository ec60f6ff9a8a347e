/**
 * The timeline's model of one recorded run: lanes grouped by process, spans in non-overlapping rows, flows,
 * counters and markers. Times are microseconds relative to the trace's first event, so a run always starts at
 * zero and two runs can share one time scale. Pure data: the parser builds it, the view-model reads it.
 */

/** What a span stands for; decides its colour and legend entry. */
export type SpanKind = 'process' | 'thread' | 'task' | 'step' | 'work' | 'lockWait' | 'lockHold' | 'request' | 'call' | 'other';

/** Every kind, in legend order. */
export const SPAN_KINDS: readonly SpanKind[] = ['process', 'thread', 'work', 'task', 'step', 'call', 'lockWait', 'lockHold', 'request', 'other'];

/** What an instant marker stands for; decides its glyph and colour. */
export type MarkerKind = 'lostUpdate' | 'error' | 'cancel' | 'other';

export interface SourceLocation {
  /** As the trace wrote it: relative to the learner's lab folder, or absolute. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
}

export interface Span {
  /** Index into `Trace.spans` (set once every span is known). */
  id: number;
  readonly laneIndex: number;
  /** Row inside the lane: 0 for the outermost span. */
  depth: number;
  readonly start: number;
  readonly end: number;
  readonly name: string;
  readonly cat: string;
  readonly kind: SpanKind;
  readonly args: Readonly<Record<string, unknown>> | undefined;
  readonly source: SourceLocation | undefined;
  /** Thread (CPU) time of the span in µs, when the trace recorded it. */
  readonly cpu: number | undefined;
  /** Still open when the trace stopped: `end` is the end of the trace, not of the work. */
  readonly unfinished: boolean;
}

export interface Marker {
  readonly t: number;
  readonly name: string;
  readonly cat: string;
  readonly kind: MarkerKind;
  /** undefined for a process- or trace-wide marker. */
  readonly laneIndex: number | undefined;
  readonly processIndex: number | undefined;
  readonly args: Readonly<Record<string, unknown>> | undefined;
  readonly source: SourceLocation | undefined;
}

export interface FlowPoint {
  readonly laneIndex: number;
  readonly t: number;
}

/** An arrow from where work was handed over (submit) to where it began (start). */
export interface Flow {
  readonly name: string;
  readonly from: FlowPoint;
  readonly to: FlowPoint;
}

export interface CounterPoint {
  readonly t: number;
  readonly value: number;
}

export interface Counter {
  readonly processIndex: number;
  /** `name` for a single-series counter, `name.series` otherwise. */
  readonly name: string;
  /** Sorted by time. */
  readonly points: readonly CounterPoint[];
  readonly max: number;
}

export interface Lane {
  readonly index: number;
  readonly processIndex: number;
  /** The trace's pid/tid, as text so numeric and string ids compare alike. */
  readonly tid: string;
  name: string;
  sortIndex: number;
  /** Lanes holding async spans (tasks, requests) pack overlapping spans into extra rows. */
  readonly async: boolean;
  /** rows[depth]: spans that never overlap, sorted by start (and therefore by end). */
  readonly rows: Span[][];
  /** Thread-scoped markers, sorted by time. */
  readonly markers: Marker[];
}

export interface ProcessGroup {
  readonly index: number;
  readonly pid: string;
  name: string;
  sortIndex: number;
  /** Lane indexes in display order. */
  readonly lanes: number[];
  readonly counters: Counter[];
  /** Process-scoped markers, sorted by time. */
  readonly markers: Marker[];
}

export interface Trace {
  /** In display order. */
  readonly processes: readonly ProcessGroup[];
  /** Indexed by `Lane.index`. */
  readonly lanes: readonly Lane[];
  /** Indexed by `Span.id`. */
  readonly spans: readonly Span[];
  readonly flows: readonly Flow[];
  readonly counters: readonly Counter[];
  /** Every marker, sorted by time. */
  readonly markers: readonly Marker[];
  /** End of the last event (µs); the first is at 0. */
  readonly duration: number;
  /** Absolute `ts` of the first event, to show the same numbers Perfetto shows. */
  readonly origin: number;
  /** The recorder hit its event cap, or the file was cut short: the picture is incomplete. */
  readonly truncated: boolean;
  /** Things a learner should know about this picture (skipped events, recovered file...). */
  readonly warnings: readonly string[];
  /** Written by Concurrency Labs' recorder (rather than a foreign tool). */
  readonly fromLabkit: boolean;
  /** The folder that relative `args.file` values are relative to, when the recorder said. */
  readonly sourceRoot: string | undefined;
  /** The recorder's lab id, when it said. */
  readonly lab: string | undefined;
}
