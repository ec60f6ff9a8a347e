/**
 * Messages between the timeline panel's host (extension) and its webview. The webview says `ready` first;
 * the host answers with a full `snapshot` and sends a new one whenever its runs change, so the webview
 * never has to merge partial state. Both sides switch exhaustively on `type` and validate what arrives.
 */

/** Why the host could not give the webview a trace's text (the file is missing, unreadable...). */
export interface RunProblem {
  readonly message: string;
  readonly advice: string;
}

export interface RunSnapshot {
  /** Stable while the panel shows this run; echoed back in requests about it. */
  readonly id: string;
  /** Shown above the run: lab and time, or the file name. */
  readonly label: string;
  /** The Chrome Trace Event JSON; the webview parses it (off the extension host's thread). */
  readonly text?: string;
  readonly problem?: RunProblem;
}

/** `problem`: every run failed to load, so the panel shows only messages. */
export type RenderState = 'empty' | 'problem' | 'rendered';

const RENDER_STATES: readonly string[] = ['empty', 'problem', 'rendered'];

export type HostToWebview = {
  readonly type: 'snapshot';
  /** One run, or two for a comparison (drawn one above the other on one time scale); none before any run. */
  readonly runs: readonly RunSnapshot[];
};

export type WebviewToHost =
  | { readonly type: 'ready' }
  /**
   * The learner clicked something that has a place in their code. `root` is the folder the trace says
   * relative paths are relative to (its `otherData.concurrencyLabs.root`), when it says.
   */
  | { readonly type: 'openSource'; readonly runId: string; readonly file: string; readonly line: number; readonly root?: string }
  | { readonly type: 'exportTrace'; readonly runId: string }
  /** Pick another trace to show below this one. */
  | { readonly type: 'compare' }
  /** Stop comparing: keep only this run. */
  | { readonly type: 'keepOnly'; readonly runId: string }
  /** What the last snapshot turned into, and how long parsing and the first paint took. */
  | { readonly type: 'rendered'; readonly state: RenderState; readonly ms: number }
  /** Something failed inside the webview; the host logs it so it can be reported. */
  | { readonly type: 'error'; readonly message: string };

export function assertNever(value: never): never {
  throw new Error(`unexpected message ${JSON.stringify(value)}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isProblem(value: unknown): value is RunProblem {
  return isRecord(value) && typeof value.message === 'string' && typeof value.advice === 'string';
}

function isRun(value: unknown): value is RunSnapshot {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.label === 'string' &&
    (value.text === undefined || typeof value.text === 'string') &&
    (value.problem === undefined || isProblem(value.problem))
  );
}

/** Messages from the webview come from page script: check them before acting on them. */
export function parseWebviewMessage(value: unknown): WebviewToHost | undefined {
  if (!isRecord(value) || typeof value.type !== 'string') {
    return undefined;
  }
  const message = value as WebviewToHost;
  switch (message.type) {
    case 'ready':
    case 'compare':
      return message;
    case 'openSource':
      return typeof message.runId === 'string' &&
        typeof message.file === 'string' &&
        Number.isInteger(message.line) &&
        (message.root === undefined || typeof message.root === 'string')
        ? message
        : undefined;
    case 'exportTrace':
    case 'keepOnly':
      return typeof message.runId === 'string' ? message : undefined;
    case 'rendered':
      return RENDER_STATES.includes(message.state) && typeof message.ms === 'number' ? message : undefined;
    case 'error':
      return typeof message.message === 'string' ? message : undefined;
    default:
      return undefined;
  }
}

export function parseHostMessage(value: unknown): HostToWebview | undefined {
  if (!isRecord(value) || typeof value.type !== 'string') {
    return undefined;
  }
  const message = value as HostToWebview;
  switch (message.type) {
    case 'snapshot':
      return Array.isArray(message.runs) && message.runs.every(isRun) ? message : undefined;
    default:
      return undefined;
  }
}
