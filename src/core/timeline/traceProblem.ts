/**
 * Why a file cannot be drawn as a timeline, worded for the learner: what is wrong and what to do about it.
 * The panel shows these instead of a blank canvas.
 */

export type TraceProblemKind = 'empty' | 'notJson' | 'notTrace' | 'noEvents' | 'unreadable';

export interface TraceProblem {
  readonly kind: TraceProblemKind;
  /** One sentence: what is wrong. */
  readonly message: string;
  /** One sentence: what to do. */
  readonly advice: string;
}

const RERUN = 'Run the lab again with "Run with Timeline" to record a new trace.';

export function emptyFile(): TraceProblem {
  return {
    kind: 'empty',
    message: 'The trace file is empty: the run stopped before the recorder wrote anything.',
    advice: `${RERUN} If it stays empty, check the Concurrency Labs output for an error from your program.`,
  };
}

export function notJson(detail: string): TraceProblem {
  return {
    kind: 'notJson',
    message: `This file is not valid JSON, so it cannot be a trace (${detail}).`,
    advice: `Open a trace written by Concurrency Labs or a Chrome/Perfetto JSON trace. ${RERUN}`,
  };
}

export function notTrace(found: string): TraceProblem {
  return {
    kind: 'notTrace',
    message: `This JSON file is not a Chrome trace: ${found}.`,
    advice: 'A trace is a JSON object with a "traceEvents" list (or a plain list of events), as written by Concurrency Labs, Chrome or Perfetto.',
  };
}

export function noEvents(skipped: number): TraceProblem {
  const why = skipped > 0 ? ` (${skipped} event${skipped === 1 ? ' was' : 's were'} not in a form the timeline understands)` : '';
  return {
    kind: 'noEvents',
    message: `The trace has no events to draw${why}: the program may have ended before it started any thread or task.`,
    advice: `Make sure your program's work runs when the file is run as a script, then try again. ${RERUN}`,
  };
}

export function unreadable(path: string, detail: string): TraceProblem {
  return {
    kind: 'unreadable',
    message: `The trace file ${path} could not be read (${detail}).`,
    advice: RERUN,
  };
}

export function cannotDraw(detail: string): TraceProblem {
  return {
    kind: 'notTrace',
    message: `This trace could not be drawn (${detail}).`,
    advice: 'Open it in Perfetto to inspect it, and please report this as a bug in Concurrency Labs with the file attached.',
  };
}

export function tooLarge(path: string, megabytes: number, limit: number): TraceProblem {
  return {
    kind: 'unreadable',
    message: `The trace file ${path} is ${megabytes} MB, more than the ${limit} MB the timeline can draw.`,
    advice: 'Open it in Perfetto instead, or record fewer items (the recorder caps events per process) and run again.',
  };
}
