/**
 * What a Check's results look like in the editor, before any `vscode` type: test messages with their
 * locations, diffs and stacks, and the diagnostics (one per failing line). Pure, so the mapping is
 * unit-tested without VS Code.
 */
import * as path from 'node:path';
import { CheckResult, CheckStatus, ThreadStack, ThreadState } from '../../core/results';
import { hintAdvice } from '../hints/hintLadder';

/** An absolute file and a 1-based line. */
export interface Spot {
  readonly file: string;
  readonly line: number;
}

export interface Related {
  readonly spot: Spot;
  readonly text: string;
}

export interface FrameSpot {
  readonly label: string;
  readonly spot: Spot;
}

export interface ReportMessage {
  readonly text: string;
  readonly spot?: Spot;
  /** Only where the check lets the expected value be shown. */
  readonly expected?: string;
  readonly actual?: string;
  /** For a time-out: the thread's frames, outermost first. */
  readonly frames: readonly FrameSpot[];
}

export interface DiagnosticSpec {
  readonly spot: Spot;
  readonly text: string;
  readonly checkIds: readonly string[];
  readonly related: readonly Related[];
}

export interface ReportContext {
  /** The learner's lab folder; result files are relative to it. */
  readonly workDir: string;
  /** The file a result without its own file belongs to (the entry). */
  readonly entryFile: string;
  readonly hints: readonly string[];
  readonly hintsSeen: number;
}

const NOT_A_VERDICT_ON_CODE: readonly CheckStatus[] = ['passed', 'skipped'];

export function absoluteFile(workDir: string, file: string): string {
  return path.isAbsolute(file) ? file : path.join(workDir, file);
}

/** Frames of code with no file (`<frozen runpy>`, `<string>`) can be neither opened nor fixed. */
function isPseudoFile(file: string): boolean {
  return file.startsWith('<');
}

/** Learner frames are relative to their folder; library frames are absolute and not the learner's to fix. */
function isLearnerFile(file: string): boolean {
  return !path.isAbsolute(file) && !isPseudoFile(file);
}

export function spotOf(result: Pick<CheckResult, 'file' | 'line'>, workDir: string): Spot | undefined {
  if (!result.file) {
    return undefined;
  }
  return { file: absoluteFile(workDir, result.file), line: result.line ?? 1 };
}

const DOING: Record<ThreadState, string> = {
  running: 'was running here (busy on the CPU)',
  waiting: 'was waiting here',
  suspended: 'was suspended here, at an await',
};

/** Where each thread (or asyncio task) was when time ran out: its innermost frame in the learner's code. */
export function waitingSpots(stacks: readonly ThreadStack[] | undefined, workDir: string): Related[] {
  return (stacks ?? []).flatMap((stack) => {
    const top = [...stack.frames].reverse().find((frame) => isLearnerFile(frame.file));
    const doing = DOING[stack.state ?? 'waiting'];
    return top ? [{ spot: { file: absoluteFile(workDir, top.file), line: top.line }, text: `${stack.thread} ${doing}, in ${top.function}()` }] : [];
  });
}

function framesOf(stack: ThreadStack, workDir: string): FrameSpot[] {
  return stack.frames.filter((frame) => !isPseudoFile(frame.file)).map((frame) => ({ label: frame.function, spot: { file: absoluteFile(workDir, frame.file), line: frame.line } }));
}

function withHint(text: string, result: CheckResult, context: ReportContext): string {
  // A syntax error or a missing file is not what the lab's hints are about.
  const advice = result.status === 'error' ? undefined : hintAdvice(result.hint, context.hints, context.hintsSeen);
  return advice ? `${text}\n\n${advice}` : text;
}

/** The test messages of one result; empty for a pass or a skip. */
export function checkMessages(result: CheckResult, context: ReportContext): ReportMessage[] {
  if (NOT_A_VERDICT_ON_CODE.includes(result.status)) {
    return [];
  }
  const spot = spotOf(result, context.workDir) ?? (result.status === 'error' ? undefined : { file: context.entryFile, line: 1 });
  const main: ReportMessage = {
    text: withHint(result.message || `${result.title}: ${result.status}`, result, context),
    ...(spot ? { spot } : {}),
    ...(result.expected !== undefined && result.actual !== undefined ? { expected: result.expected, actual: result.actual } : {}),
    frames: [],
  };
  if (result.status !== 'timedOut') {
    return [main];
  }
  // One message per waiting thread, so the peek shows each line and its stack.
  const threads = (result.stacks ?? []).flatMap((stack): ReportMessage[] => {
    const waiting = waitingSpots([stack], context.workDir)[0];
    return waiting ? [{ text: waiting.text, spot: waiting.spot, frames: framesOf(stack, context.workDir) }] : [];
  });
  return [main, ...threads];
}

/**
 * One diagnostic per failing line: checks that fail at the same line with the same message (a function
 * still raising NotImplementedError fails them all) share one squiggle that names them all.
 */
export function diagnosticsOf(results: readonly CheckResult[], context: ReportContext): DiagnosticSpec[] {
  const merged = new Map<string, { spot: Spot; message: string; titles: string[]; checkIds: string[]; related: Related[] }>();
  for (const result of results) {
    if (NOT_A_VERDICT_ON_CODE.includes(result.status)) {
      continue;
    }
    const spot = spotOf(result, context.workDir);
    const related = result.status === 'timedOut' ? waitingSpots(result.stacks, context.workDir) : [];
    const where = spot ?? related[0]?.spot;
    if (!where) {
      continue;
    }
    const key = `${where.file}\0${where.line}\0${result.message}`;
    const entry = merged.get(key) ?? { spot: where, message: result.message, titles: [], checkIds: [], related: [] };
    entry.titles.push(result.title);
    entry.checkIds.push(result.id);
    for (const item of related) {
      if (!entry.related.some((known) => known.spot.file === item.spot.file && known.spot.line === item.spot.line && known.text === item.text)) {
        entry.related.push(item);
      }
    }
    merged.set(key, entry);
  }
  return [...merged.values()].map((entry) => ({
    spot: entry.spot,
    text: `${entry.titles.join('; ')}: ${entry.message}`,
    checkIds: entry.checkIds,
    related: entry.related,
  }));
}

/** Columns of a line worth underlining: from its first non-blank character to its end. */
export function lineColumns(lineText: string | undefined): { readonly start: number; readonly end: number } {
  if (lineText === undefined) {
    return { start: 0, end: 0 };
  }
  const trimmedEnd = lineText.replace(/\s+$/, '').length;
  const start = lineText.length - lineText.replace(/^\s+/, '').length;
  return start >= trimmedEnd ? { start: 0, end: lineText.length } : { start, end: trimmedEnd };
}

/** "3 of 4 checks passed", counting only checks that ran. */
export function passCount(results: readonly CheckResult[]): { passed: number; total: number } {
  return { passed: results.filter((result) => result.status === 'passed').length, total: results.length };
}

/** Terminal-style text for the Testing output: CRLF line ends, as the test output pane expects. */
export function terminalText(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}
