/**
 * The one entry point from trace text to model: a drawable trace, or a problem worded for the learner.
 * Never throws, whatever the file holds, so the panel can always show either a picture or a message.
 */
import { buildTrace } from './buildTrace';
import { Trace } from './model';
import { readTraceJson } from './readTraceJson';
import { cannotDraw, noEvents, TraceProblem } from './traceProblem';

export type TraceParseResult = { readonly ok: true; readonly trace: Trace } | { readonly ok: false; readonly problem: TraceProblem };

export function parseTrace(text: string): TraceParseResult {
  const read = readTraceJson(text);
  if (!read.ok) {
    return read;
  }
  try {
    const { trace, drawable, skipped } = buildTrace(read.raw);
    return drawable === 0 ? { ok: false, problem: noEvents(skipped) } : { ok: true, trace };
  } catch (error) {
    // A foreign file can hold shapes no test foresaw: a message beats a blank panel.
    return { ok: false, problem: cannotDraw(error instanceof Error ? error.message : String(error)) };
  }
}
