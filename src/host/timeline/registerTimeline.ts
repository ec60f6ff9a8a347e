/**
 * The timeline feature's registration: the panel and its commands (Show Timeline, Export Trace, Compare
 * Traces). Where a trace comes from is the caller's business (`deps.latestTrace`, or `api.show` after a
 * run), so this feature never depends on the runner.
 */
import * as vscode from 'vscode';
import { pickTraceFile, RenderReport, TimelinePanel } from './timelinePanel';
import { TraceSource } from './traceFiles';

export type { TraceSource } from './traceFiles';
export type { RenderReport } from './timelinePanel';

export const TIMELINE_COMMANDS = {
  showTimeline: 'concurrencyLabs.showTimeline',
  exportTrace: 'concurrencyLabs.exportTrace',
  compareTraces: 'concurrencyLabs.compareTraces',
} as const;

/** Long enough for a 100,000-span trace on a slow machine; only a lost panel waits this long. */
const RENDER_WAIT_MS = 30_000;

export interface TimelineDeps {
  /**
   * The trace a command should show for its argument (a Labs tree node, a lab id, a file Uri, or nothing):
   * normally that lab's latest run. Undefined when there is none; the command then asks for a file.
   */
  latestTrace(argument: unknown): TraceSource | undefined | Promise<TraceSource | undefined>;
  log(message: string): void;
}

export interface TimelineApi {
  /** Opens (or reveals) the panel showing this run, replacing what it showed. */
  show(source: TraceSource): Promise<void>;
  /** Shows a second run below the current one on the same time scale. */
  compare(source: TraceSource): Promise<void>;
  /** The runs on show, top first (for tests and for "compare with previous run"). */
  readonly shown: readonly TraceSource[];
  /** Fires when the webview has drawn a snapshot, or shown why it could not. */
  readonly onDidRender: vscode.Event<RenderReport>;
}

/** A `.json` file Uri (from the explorer or the API) is a trace to show as it is. */
function traceUri(argument: unknown): TraceSource | undefined {
  return argument instanceof vscode.Uri && argument.scheme === 'file' && argument.fsPath.toLowerCase().endsWith('.json') ? { path: argument.fsPath } : undefined;
}

export function registerTimeline(context: vscode.ExtensionContext, deps: TimelineDeps): TimelineApi {
  const panel = new TimelinePanel({ extensionUri: context.extensionUri, log: (message) => deps.log(message) });

  const resolve = async (argument: unknown): Promise<TraceSource | undefined> => traceUri(argument) ?? (await deps.latestTrace(argument));

  /** The webview's next report; undefined if it never comes (the panel was closed at once, say). */
  const nextRender = (): Promise<RenderReport | undefined> =>
    new Promise((done) => {
      const timer = setTimeout(() => {
        listener.dispose();
        done(undefined);
      }, RENDER_WAIT_MS);
      const listener = panel.onDidRender((report) => {
        clearTimeout(timer);
        listener.dispose();
        done(report);
      });
    });

  // Resolves with what the panel drew, so callers and tests know the learner saw a picture or a message.
  const showTimeline = async (argument?: unknown): Promise<RenderReport | undefined> => {
    const source = (await resolve(argument)) ?? (await pickTraceFile('No run of this lab has a timeline yet: pick a trace file to show', 'Show Timeline'));
    if (!source) {
      return undefined;
    }
    const rendered = nextRender();
    await panel.show(source);
    return rendered;
  };

  // From the panel's title bar VS Code passes no lab, so an open panel means "export what it shows".
  const exportTrace = async (argument?: unknown): Promise<void> => {
    const source = traceUri(argument) ?? (panel.shown.length > 0 ? undefined : await deps.latestTrace(argument));
    await panel.exportTrace(source);
  };

  const compareTraces = async (argument?: unknown): Promise<void> => {
    if (panel.shown.length === 0) {
      const first = (await resolve(argument)) ?? (await pickTraceFile('Pick the first trace to compare', 'Compare'));
      if (!first) {
        return;
      }
      await panel.show(first);
    }
    await panel.pickAndCompare();
  };

  context.subscriptions.push(
    panel,
    vscode.commands.registerCommand(TIMELINE_COMMANDS.showTimeline, showTimeline),
    vscode.commands.registerCommand(TIMELINE_COMMANDS.exportTrace, exportTrace),
    vscode.commands.registerCommand(TIMELINE_COMMANDS.compareTraces, compareTraces),
  );

  return {
    show: (source) => panel.show(source),
    compare: (source) => panel.compare(source),
    get shown() {
      return panel.shown;
    },
    onDidRender: panel.onDidRender,
  };
}
