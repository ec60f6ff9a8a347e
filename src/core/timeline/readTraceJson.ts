/**
 * Turns the text of a trace file into its list of raw events. Accepts both Chrome layouts (an object with
 * `traceEvents`, or a bare array) and recovers a file that was cut off mid-write — a run killed on time-out
 * leaves one — by closing it after the last complete event, as Chrome's own loader tolerates a missing `]`.
 */
import { emptyFile, noEvents, notJson, notTrace, TraceProblem } from './traceProblem';

export interface RawTrace {
  readonly events: readonly unknown[];
  /** The object format's `otherData`, or an empty object. */
  readonly otherData: Readonly<Record<string, unknown>>;
  /** The text was cut off and only its complete beginning was read. */
  readonly recovered: boolean;
}

export type ReadResult = { readonly ok: true; readonly raw: RawTrace } | { readonly ok: false; readonly problem: TraceProblem };

const OPENERS: Readonly<Record<string, string>> = { '{': '}', '[': ']' };

/**
 * The longest prefix of `text` that ends on a complete event (or top-level member), with the brackets still
 * open at that point closed. Undefined when nothing complete was found.
 */
export function closeTruncatedJson(text: string): string | undefined {
  const stack: string[] = [];
  // Events sit at depth 1 of a bare array and depth 2 of `{"traceEvents": [...]}`: cutting deeper would
  // keep half an event.
  const limit = text.trimStart().startsWith('[') ? 1 : 2;
  let inString = false;
  let cut = -1;
  let cutDepth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') {
        i++;
      } else if (c === '"') {
        inString = false;
      }
      continue;
    }
    if (c === '"') {
      inString = true;
    } else if (c === '{' || c === '[') {
      stack.push(c);
    } else if (c === '}' || c === ']') {
      if (stack.length === 0 || OPENERS[stack[stack.length - 1]] !== c) {
        return undefined;
      }
      stack.pop();
      if (stack.length <= limit) {
        cut = i + 1;
        cutDepth = stack.length;
      }
    }
  }
  if (cut < 0 || cutDepth === 0) {
    return undefined;
  }
  // Brackets below the cut depth cannot have changed after the cut: changing them needs a later close.
  const closers = stack
    .slice(0, cutDepth)
    .reverse()
    .map((open) => OPENERS[open])
    .join('');
  return text.slice(0, cut) + closers;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) {
    return 'a list whose items are not trace events';
  }
  if (value === null) {
    return 'it holds null';
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value as object).slice(0, 4);
    return keys.length > 0 ? `it has no "traceEvents" list (it has ${keys.map((k) => `"${k}"`).join(', ')})` : 'it is an empty object';
  }
  return `it holds a single ${typeof value}`;
}

function looksLikeEvent(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { ph?: unknown }).ph === 'string';
}

function fromParsed(parsed: unknown, recovered: boolean): ReadResult {
  let events: unknown;
  let otherData: Record<string, unknown> = {};
  if (Array.isArray(parsed)) {
    events = parsed;
  } else if (typeof parsed === 'object' && parsed !== null && 'traceEvents' in parsed) {
    const object = parsed as Record<string, unknown>;
    events = object.traceEvents;
    if (typeof object.otherData === 'object' && object.otherData !== null && !Array.isArray(object.otherData)) {
      otherData = object.otherData as Record<string, unknown>;
    }
    if (!Array.isArray(events)) {
      return { ok: false, problem: notTrace('its "traceEvents" is not a list') };
    }
  } else {
    return { ok: false, problem: notTrace(describe(parsed)) };
  }
  const list = events as unknown[];
  if (list.length === 0) {
    return { ok: false, problem: noEvents(0) };
  }
  if (!list.some(looksLikeEvent)) {
    return { ok: false, problem: notTrace(describe(list)) };
  }
  return { ok: true, raw: { events: list, otherData, recovered } };
}

export function readTraceJson(text: string): ReadResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') {
    return { ok: false, problem: emptyFile() };
  }
  try {
    return fromParsed(JSON.parse(body), false);
  } catch (error) {
    const repaired = closeTruncatedJson(body);
    if (repaired !== undefined) {
      try {
        return fromParsed(JSON.parse(repaired), true);
      } catch {
        // Not a cut-off trace after all: report the original error, which points at the real fault.
      }
    }
    return { ok: false, problem: notJson(error instanceof Error ? error.message : String(error)) };
  }
}
