/**
 * Builds the timeline model from raw Chrome Trace Event objects: matches B/E and b/e pairs, places spans in
 * rows that never overlap (so the renderer can binary-search them), joins flow ends, collects counters and
 * markers, and names lanes from metadata. Events it cannot use are counted and skipped, never fatal.
 */
import { markerKind, spanKind } from './classify';
import { Counter, CounterPoint, Flow, Lane, Marker, ProcessGroup, SourceLocation, Span, Trace } from './model';
import { RawTrace } from './readTraceJson';
import { placeInRows } from './rows';

interface RawEvent {
  readonly ph: string;
  readonly name: string;
  readonly cat: string;
  /** Relative to the trace origin once `build` has run. */
  ts: number;
  readonly pid: string;
  readonly tid: string;
  readonly raw: Record<string, unknown>;
}

interface LaneBuilder {
  readonly pid: string;
  readonly key: string;
  readonly async: boolean;
  readonly order: number;
  name: string;
  readonly spans: Span[];
  /** Open B events, innermost last. */
  readonly open: OpenSpan[];
  index: number;
}

interface OpenSpan {
  readonly lane: LaneBuilder;
  readonly event: RawEvent;
  readonly args: Record<string, unknown> | undefined;
}

interface ProcessBuilder {
  readonly pid: string;
  readonly order: number;
  name: string;
  sortIndex: number;
  readonly lanes: LaneBuilder[];
  readonly counterPoints: Map<string, CounterPoint[]>;
  index: number;
}

interface PendingPoint {
  readonly lane: LaneBuilder;
  readonly t: number;
}

interface PendingMarker {
  readonly event: RawEvent;
  readonly lane: LaneBuilder | undefined;
  readonly process: ProcessBuilder | undefined;
}

export interface BuildResult {
  readonly trace: Trace;
  /** Spans, markers and counter samples: zero means there is nothing to show. */
  readonly drawable: number;
  /** Events that were malformed or could not be matched. */
  readonly skipped: number;
}

function idText(value: unknown): string {
  return typeof value === 'number' || typeof value === 'string' ? String(value) : '';
}

function argsOf(raw: Record<string, unknown>): Record<string, unknown> | undefined {
  const args = raw.args;
  return typeof args === 'object' && args !== null && !Array.isArray(args) ? (args as Record<string, unknown>) : undefined;
}

function mergeArgs(begin: Record<string, unknown> | undefined, end: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return end ? { ...begin, ...end } : begin;
}

/** `args.file` / `args.line`: where in the learner's code a span or marker came from. */
export function sourceOf(args: Readonly<Record<string, unknown>> | undefined): SourceLocation | undefined {
  const file = args?.file;
  if (typeof file !== 'string' || file === '') {
    return undefined;
  }
  const line = Number(args?.line);
  return { file, line: Number.isInteger(line) && line > 0 ? line : 1 };
}

function asyncId(raw: Record<string, unknown>): string {
  const id2 = raw.id2;
  if (typeof id2 === 'object' && id2 !== null) {
    const { local, global } = id2 as Record<string, unknown>;
    return idText(global) !== '' ? `g${idText(global)}` : `l${idText(local)}`;
  }
  return idText(raw.id);
}

function sortIndexOf(args: Record<string, unknown> | undefined): number {
  const value = args?.sort_index;
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** Event fields normalised, or undefined for something that is not an event. */
function normalise(value: unknown): RawEvent | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const raw = value as Record<string, unknown>;
  const { ph, ts } = raw;
  if (typeof ph !== 'string') {
    return undefined;
  }
  const time = typeof ts === 'number' ? ts : typeof ts === 'string' ? Number(ts) : ph === 'M' ? 0 : NaN;
  if (!Number.isFinite(time)) {
    return undefined;
  }
  return {
    ph,
    name: typeof raw.name === 'string' ? raw.name : '',
    cat: typeof raw.cat === 'string' ? raw.cat : '',
    ts: time,
    pid: idText(raw.pid) || '0',
    tid: idText(raw.tid) || '0',
    raw,
  };
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** What Concurrency Labs' recorder says about the run in `otherData.concurrencyLabs` (docs/trace-format.md). */
interface RecorderInfo {
  readonly present: boolean;
  readonly truncated: boolean;
  readonly root: string | undefined;
  readonly lab: string | undefined;
  readonly missingProcesses: number;
}

function recorderInfo(otherData: Readonly<Record<string, unknown>>): RecorderInfo {
  const ours = otherData.concurrencyLabs;
  if (typeof ours !== 'object' || ours === null) {
    return { present: false, truncated: false, root: undefined, lab: undefined, missingProcesses: 0 };
  }
  const info = ours as Record<string, unknown>;
  return {
    present: true,
    truncated: info.truncated === true,
    root: typeof info.root === 'string' && info.root !== '' ? info.root : undefined,
    lab: typeof info.lab === 'string' && info.lab !== '' ? info.lab : undefined,
    missingProcesses: Array.isArray(info.missingProcesses) ? info.missingProcesses.length : 0,
  };
}

/** CPU time of a span: the standard `tdur`, else the recorder's `args.cpuUs`. */
function cpuOf(raw: Record<string, unknown>, args: Record<string, unknown> | undefined): number | undefined {
  const value = typeof raw.tdur === 'number' ? raw.tdur : args?.cpuUs;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function byOrder<T extends { readonly order: number }>(a: T, b: T): number {
  return a.order - b.order;
}

class TraceBuilder {
  private readonly processes = new Map<string, ProcessBuilder>();
  private readonly lanes = new Map<string, LaneBuilder>();
  private readonly threadNames = new Map<string, string>();
  private readonly threadSort = new Map<string, number>();
  private readonly openAsync = new Map<string, OpenSpan[]>();
  private readonly flowStarts = new Map<string, { name: string; point: PendingPoint }>();
  private readonly flows: { name: string; from: PendingPoint; to: PendingPoint }[] = [];
  private readonly markers: PendingMarker[] = [];
  private duration = 0;
  drawable = 0;
  unmatched = 0;
  unfinished = 0;

  process(pid: string): ProcessBuilder {
    let builder = this.processes.get(pid);
    if (!builder) {
      builder = { pid, order: this.processes.size, name: `Process ${pid}`, sortIndex: 0, lanes: [], counterPoints: new Map(), index: -1 };
      this.processes.set(pid, builder);
    }
    return builder;
  }

  private lane(pid: string, key: string, isAsync: boolean, name: string): LaneBuilder {
    const fullKey = `${pid}\u0000${isAsync ? 'a' : 't'}\u0000${key}`;
    let builder = this.lanes.get(fullKey);
    if (!builder) {
      builder = { pid, key, async: isAsync, order: this.lanes.size, name, spans: [], open: [], index: -1 };
      this.lanes.set(fullKey, builder);
      this.process(pid).lanes.push(builder);
    }
    return builder;
  }

  threadLane(event: RawEvent): LaneBuilder {
    return this.lane(event.pid, event.tid, false, `Thread ${event.tid}`);
  }

  /** Async spans with one name share a lane per process: a task, or a kind of request, keeps its lane. */
  asyncLane(event: RawEvent): LaneBuilder {
    return this.lane(event.pid, event.name, true, event.name || `Async ${asyncId(event.raw)}`);
  }

  addSpan(lane: LaneBuilder, event: RawEvent, end: number, args: Record<string, unknown> | undefined, cpu: number | undefined, stopped = false): void {
    lane.spans.push({
      id: -1,
      laneIndex: -1,
      depth: 0,
      start: event.ts,
      end: Math.max(event.ts, end),
      name: event.name || '(unnamed)',
      cat: event.cat,
      kind: spanKind(event.cat, event.name),
      args,
      source: sourceOf(args),
      cpu,
      // The recorder closes spans still running at stop itself and says so in args.
      unfinished: stopped || args?.unfinished === true,
    });
    this.duration = Math.max(this.duration, end, event.ts);
    this.drawable++;
  }

  addFlowPoint(key: string, name: string, point: PendingPoint, isStart: boolean): void {
    const from = this.flowStarts.get(key);
    if (!isStart && from) {
      this.flows.push({ name: from.name || name, from: from.point, to: point });
    }
    if (isStart || from) {
      // A `t` step continues the chain from where it is.
      this.flowStarts.set(key, { name: from?.name || name, point });
    }
  }

  event(event: RawEvent): void {
    const raw = event.raw;
    switch (event.ph) {
      case 'X': {
        const dur = typeof raw.dur === 'number' && raw.dur > 0 ? raw.dur : 0;
        const args = argsOf(raw);
        const lane = this.threadLane(event);
        this.addSpan(lane, event, event.ts + dur, args, cpuOf(raw, args));
        if (raw.bind_id !== undefined) {
          const key = `bind\u0000${idText(raw.bind_id)}`;
          if (raw.flow_in === true) {
            this.addFlowPoint(key, event.name, { lane, t: event.ts }, false);
          }
          if (raw.flow_out === true) {
            this.addFlowPoint(key, event.name, { lane, t: event.ts }, true);
          }
        }
        return;
      }
      case 'B': {
        const lane = this.threadLane(event);
        lane.open.push({ lane, event, args: argsOf(raw) });
        return;
      }
      case 'E': {
        const open = this.threadLane(event).open.pop();
        if (open) {
          const args = mergeArgs(open.args, argsOf(raw));
          this.addSpan(open.lane, open.event, event.ts, args, cpuOf(raw, args));
        } else {
          this.unmatched++;
        }
        return;
      }
      case 'b':
      case 'S': {
        const key = `${event.pid}\u0000${event.cat}\u0000${asyncId(raw)}`;
        const stack = this.openAsync.get(key) ?? [];
        stack.push({ lane: this.asyncLane(event), event, args: argsOf(raw) });
        this.openAsync.set(key, stack);
        return;
      }
      case 'e':
      case 'F': {
        const stack = this.openAsync.get(`${event.pid}\u0000${event.cat}\u0000${asyncId(raw)}`) ?? [];
        // Async spans sharing an id nest by name; an end without a name closes the innermost.
        const named = stack.map((open) => open.event.name).lastIndexOf(event.name);
        const at = named >= 0 ? named : stack.length - 1;
        if (at < 0) {
          this.unmatched++;
          return;
        }
        const [open] = stack.splice(at, 1);
        const args = mergeArgs(open.args, argsOf(raw));
        this.addSpan(open.lane, open.event, event.ts, args, cpuOf(raw, args));
        return;
      }
      case 'i':
      case 'I':
      case 'R':
      case 'n': {
        const scope = raw.s === 'g' ? 'g' : raw.s === 'p' || event.ph === 'n' ? 'p' : 't';
        this.markers.push({
          event,
          lane: scope === 't' ? this.threadLane(event) : undefined,
          process: scope === 'g' ? undefined : this.process(event.pid),
        });
        this.duration = Math.max(this.duration, event.ts);
        this.drawable++;
        return;
      }
      case 's':
      case 't':
      case 'f':
        this.addFlowPoint(`${event.cat}\u0000${asyncId(raw)}`, event.name, { lane: this.threadLane(event), t: event.ts }, event.ph === 's');
        return;
      case 'C':
        this.counter(event);
        return;
      case 'M':
        this.metadata(event);
        return;
      default:
        // Sample, object and memory-dump events have nothing to draw on a lane timeline.
        return;
    }
  }

  private counter(event: RawEvent): void {
    const numeric = Object.entries(argsOf(event.raw) ?? {}).filter((entry): entry is [string, number] => typeof entry[1] === 'number' && Number.isFinite(entry[1]));
    if (numeric.length === 0) {
      this.unmatched++;
      return;
    }
    const process = this.process(event.pid);
    const counterId = idText(event.raw.id);
    const base = counterId ? `${event.name}[${counterId}]` : event.name;
    for (const [key, value] of numeric) {
      const name = numeric.length === 1 ? base || key : `${base}.${key}`;
      const points = process.counterPoints.get(name) ?? [];
      points.push({ t: event.ts, value });
      process.counterPoints.set(name, points);
    }
    this.duration = Math.max(this.duration, event.ts);
    this.drawable++;
  }

  private metadata(event: RawEvent): void {
    const args = argsOf(event.raw);
    const name = typeof args?.name === 'string' ? args.name : undefined;
    const threadKey = `${event.pid}\u0000${event.tid}`;
    switch (event.name) {
      case 'process_name':
        if (name !== undefined) {
          this.process(event.pid).name = name;
        }
        return;
      case 'process_sort_index':
        this.process(event.pid).sortIndex = sortIndexOf(args);
        return;
      case 'thread_name':
        if (name !== undefined) {
          this.threadNames.set(threadKey, name);
        }
        return;
      case 'thread_sort_index':
        this.threadSort.set(threadKey, sortIndexOf(args));
        return;
      default:
        return;
    }
  }

  /** Closes whatever is still open at the end of the trace: it was running when recording stopped. */
  closeOpenSpans(): void {
    const opens = [...this.lanes.values()].flatMap((lane) => lane.open.splice(0));
    for (const stack of this.openAsync.values()) {
      opens.push(...stack.splice(0));
    }
    for (const open of opens) {
      this.unfinished++;
      this.addSpan(open.lane, open.event, this.duration, open.args, undefined, true);
    }
  }

  finish(rawTrace: RawTrace, origin: number, skipped: number): Trace {
    const laneName = (lane: LaneBuilder): string => (lane.async ? lane.name : this.threadNames.get(`${lane.pid}\u0000${lane.key}`) ?? lane.name);
    const laneSort = (lane: LaneBuilder): number => (lane.async ? 0 : this.threadSort.get(`${lane.pid}\u0000${lane.key}`) ?? 0);

    const ordered = [...this.processes.values()]
      .filter((p) => p.lanes.length > 0 || p.counterPoints.size > 0 || this.markers.some((m) => m.process === p))
      .sort((a, b) => a.sortIndex - b.sortIndex || byOrder(a, b));
    const lanes: Lane[] = [];
    const spans: Span[] = [];
    const counters: Counter[] = [];
    const processes: ProcessGroup[] = ordered.map((process, processIndex) => {
      process.index = processIndex;
      const group: ProcessGroup = { index: processIndex, pid: process.pid, name: process.name, sortIndex: process.sortIndex, lanes: [], counters: [], markers: [] };
      // Threads first, in their sort order; then async lanes, in the order they began.
      const laneOrder = [...process.lanes].sort((a, b) => Number(a.async) - Number(b.async) || laneSort(a) - laneSort(b) || byOrder(a, b));
      for (const builder of laneOrder) {
        builder.index = lanes.length;
        const rows = placeInRows(builder.spans, !builder.async);
        for (const span of builder.spans) {
          (span as { laneIndex: number }).laneIndex = builder.index;
          spans.push(span);
        }
        lanes.push({ index: builder.index, processIndex, tid: builder.key, name: laneName(builder), sortIndex: laneSort(builder), async: builder.async, rows, markers: [] });
        group.lanes.push(builder.index);
      }
      for (const [name, points] of process.counterPoints) {
        points.sort((a, b) => a.t - b.t);
        const counter: Counter = { processIndex, name, points, max: points.reduce((m, p) => Math.max(m, p.value), 0) };
        group.counters.push(counter);
        counters.push(counter);
      }
      return group;
    });
    spans.sort((a, b) => a.start - b.start || a.laneIndex - b.laneIndex || a.depth - b.depth);
    spans.forEach((span, index) => {
      span.id = index;
    });

    const flows: Flow[] = this.flows.map(({ name, from, to }) => ({
      name,
      from: { laneIndex: from.lane.index, t: from.t },
      to: { laneIndex: to.lane.index, t: to.t },
    }));

    const markers: Marker[] = this.markers
      .map(({ event, lane, process }) => {
        const args = argsOf(event.raw);
        return {
          t: event.ts,
          name: event.name,
          cat: event.cat,
          kind: markerKind(event.cat, event.name),
          laneIndex: lane?.index,
          processIndex: process?.index,
          args,
          source: sourceOf(args),
        };
      })
      .sort((a, b) => a.t - b.t);
    for (const marker of markers) {
      if (marker.laneIndex !== undefined) {
        lanes[marker.laneIndex].markers.push(marker);
      } else if (marker.processIndex !== undefined) {
        processes[marker.processIndex].markers.push(marker);
      }
    }

    const recorder = recorderInfo(rawTrace.otherData);
    const capped = recorder.truncated;
    const warnings: string[] = [];
    if (capped) {
      warnings.push('The recorder hit its event limit, so this timeline stops early and later work is missing: run fewer items to see the whole run.');
    }
    if (rawTrace.recovered) {
      warnings.push('The trace file was cut off (the run was probably stopped or timed out): only its complete beginning is shown.');
    }
    if (recorder.missingProcesses > 0) {
      warnings.push(`${plural(recorder.missingProcesses, 'child process', 'child processes')} never sent ${recorder.missingProcesses === 1 ? 'its' : 'their'} part of the trace (killed, or still running when the run ended), so ${recorder.missingProcesses === 1 ? 'it is' : 'they are'} missing here.`);
    }
    if (this.unfinished > 0) {
      warnings.push(`${plural(this.unfinished, 'span was', 'spans were')} still running when the trace stopped; they are drawn to the end of the trace.`);
    }
    if (skipped > 0) {
      warnings.push(`${plural(skipped, 'event', 'events')} could not be drawn (malformed, or an end without a start) and ${skipped === 1 ? 'was' : 'were'} skipped.`);
    }
    return {
      processes,
      lanes,
      spans,
      flows,
      counters,
      markers,
      duration: this.duration,
      origin,
      truncated: capped || rawTrace.recovered,
      warnings,
      fromLabkit: recorder.present,
      sourceRoot: recorder.root,
      lab: recorder.lab,
    };
  }
}

export function buildTrace(rawTrace: RawTrace): BuildResult {
  const events: RawEvent[] = [];
  let malformed = 0;
  let origin = Infinity;
  for (const value of rawTrace.events) {
    const event = normalise(value);
    if (!event) {
      malformed++;
      continue;
    }
    events.push(event);
    if (event.ph !== 'M' && event.ts < origin) {
      origin = event.ts;
    }
  }
  if (!Number.isFinite(origin)) {
    origin = 0;
  }
  const builder = new TraceBuilder();
  for (const event of events) {
    event.ts -= origin;
    builder.event(event);
  }
  builder.closeOpenSpans();
  const skipped = malformed + builder.unmatched;
  return { trace: builder.finish(rawTrace, origin, skipped), drawable: builder.drawable, skipped };
}
