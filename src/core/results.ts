/**
 * The runner's results file (JSON lines, protocol version 1 — docs/lab-format.md) parsed into events, and
 * events folded into one outcome per Check. Pure, so every malformed or partial file is tested.
 */
import { CheckSpec } from './manifest';

export const PROTOCOL_VERSION = 1;

export type CheckStatus = 'passed' | 'failed' | 'error' | 'timedOut' | 'skipped';
export type RunStatus = 'passed' | 'failed' | 'error' | 'timedOut';

export interface StackFrame {
  readonly file: string;
  readonly line: number;
  readonly function: string;
}

export type ThreadState = 'running' | 'waiting' | 'suspended';

export interface ThreadStack {
  readonly thread: string;
  readonly frames: readonly StackFrame[];
  /** On the CPU, blocked, or (an asyncio task) at an await; absent where the runtime could not tell. */
  readonly state?: ThreadState;
}

const THREAD_STATES: readonly string[] = ['running', 'waiting', 'suspended'];

export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  readonly message: string;
  /** Relative to the learner's lab folder. */
  readonly file: string | null;
  readonly line: number | null;
  readonly hint: number | null;
  readonly expected?: string;
  readonly actual?: string;
  readonly output?: string;
  readonly durationMs?: number;
  readonly stacks?: readonly ThreadStack[];
}

export interface Fatal {
  readonly message: string;
  readonly file: string | null;
  readonly line: number | null;
}

export type RunnerEvent =
  | { readonly type: 'hello'; readonly python: string; readonly executable: string; readonly lab: string }
  | { readonly type: 'checkStart'; readonly id: string }
  | { readonly type: 'checkEnd'; readonly result: Omit<CheckResult, 'title'> }
  | { readonly type: 'trace'; readonly path: string }
  | { readonly type: 'done'; readonly status: RunStatus; readonly durationMs: number }
  | { readonly type: 'fatal'; readonly fatal: Fatal };

const CHECK_STATUSES: readonly string[] = ['passed', 'failed', 'error', 'timedOut', 'skipped'];
const RUN_STATUSES: readonly string[] = ['passed', 'failed', 'error', 'timedOut'];

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function lineNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
}

/**
 * A location's file, relative to the learner's lab folder; null for what is no file at all, like
 * "<frozen runpy>" or "<string>", where an editor could only show a broken link.
 */
function learnerFile(value: unknown): string | null {
  const file = str(value);
  return file && !file.startsWith('<') ? file : null;
}

/** A file and line; a line in something that is no file is dropped with it. */
function location(data: Record<string, unknown>): { file: string | null; line: number | null } {
  const file = learnerFile(data.file);
  const pseudo = file === null && typeof data.file === 'string' && data.file !== '';
  return { file, line: pseudo ? null : lineNumber(data.line) };
}

function parseStacks(value: unknown): ThreadStack[] | undefined {
  if (!Array.isArray(value)) {
    return undefined;
  }
  return value.flatMap((stack) => {
    if (typeof stack !== 'object' || stack === null || !Array.isArray((stack as { frames?: unknown }).frames)) {
      return [];
    }
    const frames = ((stack as { frames: unknown[] }).frames).flatMap((frame) => {
      const f = frame as Record<string, unknown>;
      const line = lineNumber(f?.line);
      const file = learnerFile(f?.file);
      return file !== null && line !== null ? [{ file, line, function: str(f.function) ?? '?' }] : [];
    });
    const state = str((stack as { state?: unknown }).state);
    return [{ thread: str((stack as { thread?: unknown }).thread) ?? 'thread', frames, ...(state && THREAD_STATES.includes(state) ? { state: state as ThreadState } : {}) }];
  });
}

/** One line of the results file, or undefined for anything that is not protocol (ignored, never a verdict). */
export function parseEvent(line: string): RunnerEvent | undefined {
  let data: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return undefined;
    }
    data = parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (data.v !== PROTOCOL_VERSION) {
    return undefined;
  }
  switch (data.type) {
    case 'hello':
      return { type: 'hello', python: str(data.python) ?? '?', executable: str(data.executable) ?? '?', lab: str(data.lab) ?? '?' };
    case 'checkStart':
      return typeof data.id === 'string' ? { type: 'checkStart', id: data.id } : undefined;
    case 'checkEnd': {
      if (typeof data.id !== 'string' || typeof data.status !== 'string' || !CHECK_STATUSES.includes(data.status)) {
        return undefined;
      }
      const optional = (key: 'expected' | 'actual' | 'output'): Partial<CheckResult> => {
        const value = str(data[key]);
        return value !== undefined ? { [key]: value } : {};
      };
      const stacks = parseStacks(data.stacks);
      return {
        type: 'checkEnd',
        result: {
          id: data.id,
          status: data.status as CheckStatus,
          message: str(data.message) ?? '',
          ...location(data),
          hint: lineNumber(data.hint),
          ...optional('expected'),
          ...optional('actual'),
          ...optional('output'),
          ...(typeof data.durationMs === 'number' ? { durationMs: data.durationMs } : {}),
          ...(stacks ? { stacks } : {}),
        },
      };
    }
    case 'trace':
      return typeof data.path === 'string' ? { type: 'trace', path: data.path } : undefined;
    case 'done':
      return typeof data.status === 'string' && RUN_STATUSES.includes(data.status)
        ? { type: 'done', status: data.status as RunStatus, durationMs: typeof data.durationMs === 'number' ? data.durationMs : 0 }
        : undefined;
    case 'fatal':
      return { type: 'fatal', fatal: { message: str(data.message) ?? 'the checker could not start', ...location(data) } };
    default:
      return undefined;
  }
}

/** Splits accumulated text into complete lines, keeping an unfinished last line for later. */
export class LineSplitter {
  private rest = '';

  push(chunk: string): string[] {
    const text = this.rest + chunk;
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    return lines.filter((line) => line.trim() !== '');
  }

  flush(): string[] {
    const last = this.rest.trim();
    this.rest = '';
    return last ? [last] : [];
  }
}

export interface RunOutcome {
  readonly status: RunStatus;
  /** One result per manifest check, in manifest order. */
  readonly checks: readonly CheckResult[];
  readonly fatal?: Fatal;
  readonly python?: string;
  /** The interpreter the runner ran under, as it reported itself (`sys.executable`). */
  readonly executable?: string;
  readonly tracePath?: string;
  readonly durationMs: number;
}

export interface Ending {
  /** The core killed the run because it went over the lab's time limit. */
  readonly timedOut: boolean;
  /** The run was stopped by the learner. */
  readonly cancelled: boolean;
  readonly exitCode: number | null;
  /** The runner's own stderr, to explain a crash. */
  readonly stderr: string;
  readonly timeLimitSeconds: number;
  readonly durationMs: number;
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join('\n');
}

/** Folds the events of one run into its outcome; checks the runner never finished get a status that says why. */
export function summarize(specs: readonly CheckSpec[], events: readonly RunnerEvent[], ending: Ending): RunOutcome {
  const ended = new Map<string, Omit<CheckResult, 'title'>>();
  let started: string | undefined;
  let done: { status: RunStatus; durationMs: number } | undefined;
  let fatal: Fatal | undefined;
  let python: string | undefined;
  let executable: string | undefined;
  let tracePath: string | undefined;
  for (const event of events) {
    switch (event.type) {
      case 'hello':
        python = event.python;
        executable = event.executable;
        break;
      case 'checkStart':
        started = event.id;
        break;
      case 'checkEnd':
        ended.set(event.result.id, event.result);
        break;
      case 'trace':
        tracePath = event.path;
        break;
      case 'done':
        done = event;
        break;
      case 'fatal':
        fatal = event.fatal;
        break;
    }
  }

  const unfinished = (spec: CheckSpec): CheckResult => {
    const base = { id: spec.id, title: spec.title, file: null, line: null, hint: spec.hint ?? null };
    if (fatal) {
      return { ...base, status: 'error', message: fatal.message, file: fatal.file, line: fatal.line };
    }
    if (spec.id === started && ending.timedOut) {
      return { ...base, status: 'timedOut', message: `timed out: the whole check took longer than the lab's limit of ${ending.timeLimitSeconds} s — possible deadlock or infinite loop` };
    }
    if (ending.cancelled) {
      return { ...base, status: 'skipped', message: 'stopped before this check ran' };
    }
    if (ending.timedOut) {
      return { ...base, status: 'skipped', message: 'not run: an earlier check used up the time limit' };
    }
    if (done) {
      return { ...base, status: 'error', message: 'the checker did not report this check — please report this as a bug in the lab' };
    }
    const detail = lastLines(ending.stderr, 5);
    return { ...base, status: 'error', message: `the checker stopped unexpectedly (exit code ${ending.exitCode})${detail ? `:\n${detail}` : ''}` };
  };

  const checks = specs.map((spec) => {
    const result = ended.get(spec.id);
    return result ? { ...result, title: spec.title } : unfinished(spec);
  });

  let status: RunStatus;
  if (fatal || checks.some((check) => check.status === 'error')) {
    status = 'error';
  } else if (checks.some((check) => check.status === 'timedOut') || (ending.timedOut && !done)) {
    status = 'timedOut';
  } else if (checks.some((check) => check.status === 'failed') || ending.cancelled) {
    status = 'failed';
  } else if (done && done.status !== 'passed') {
    status = done.status;
  } else {
    status = done ? 'passed' : 'error';
  }
  return {
    status,
    checks,
    ...(fatal ? { fatal } : {}),
    ...(python ? { python } : {}),
    ...(executable ? { executable } : {}),
    ...(tracePath ? { tracePath } : {}),
    durationMs: done?.durationMs ?? ending.durationMs,
  };
}
