/**
 * The timeline's WebviewPanel: one panel, reused, showing one run or two compared. Holds the runs (the
 * host's truth) and sends the webview a full snapshot whenever it says `ready` and whenever runs change;
 * answers the webview's requests (open source, export, compare) with VS Code's editors and dialogs.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { assertNever, HostToWebview, parseWebviewMessage, RenderState, RunSnapshot, WebviewToHost } from '../../shared/timelineProtocol';
import { makeNonce, timelineHtml } from './timelineHtml';
import { findSource, readRun, sourceCandidates, TraceSource } from './traceFiles';

export const TIMELINE_VIEW_TYPE = 'concurrencyLabs.timeline';

interface HostRun {
  readonly source: TraceSource;
  readonly snapshot: RunSnapshot;
}

export interface TimelinePanelDeps {
  readonly extensionUri: vscode.Uri;
  log(message: string): void;
}

const TRACE_FILTERS = { 'Trace files': ['json'], 'All files': ['*'] };

/** Asks for a trace file; `near` is a file whose folder the dialog opens in. */
export async function pickTraceFile(title: string, openLabel: string, near?: string): Promise<TraceSource | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    title,
    openLabel,
    filters: TRACE_FILTERS,
    defaultUri: near ? vscode.Uri.file(path.dirname(near)) : undefined,
  });
  return picked?.[0] ? { path: picked[0].fsPath } : undefined;
}

export interface RenderReport {
  readonly state: RenderState;
  /** Labels of the runs the snapshot held. */
  readonly runs: readonly string[];
  readonly ms: number;
}

export class TimelinePanel implements vscode.Disposable {
  private readonly rendered = new vscode.EventEmitter<RenderReport>();
  /** Fires each time the webview has drawn (or failed to draw) a snapshot. */
  readonly onDidRender = this.rendered.event;
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private runs: HostRun[] = [];
  private nextId = 1;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly deps: TimelinePanelDeps) {}

  get visible(): boolean {
    return this.panel !== undefined;
  }

  /** The runs on show, first (top) first. */
  get shown(): readonly TraceSource[] {
    return this.runs.map((run) => run.source);
  }

  /** Shows one run, replacing whatever the panel showed. */
  async show(source: TraceSource): Promise<void> {
    this.runs = [await this.load(source)];
    this.reveal();
  }

  /** Shows `source` below the current run, on the same time scale; alone if nothing is shown yet. */
  async compare(source: TraceSource): Promise<void> {
    const second = await this.load(source);
    this.runs = this.runs.length > 0 ? [this.runs[0], second] : [second];
    this.reveal();
  }

  /** Asks for a trace file and compares it with the current run. */
  async pickAndCompare(): Promise<void> {
    const first = this.runs[0]?.source;
    const picked = await pickTraceFile('Pick a trace to compare with this run', 'Compare', first?.path);
    if (picked) {
      await this.compare({ ...picked, sourceRoot: first?.sourceRoot });
    }
  }

  /** Saves `source`, or else the top run on show, where the learner chooses. */
  async exportTrace(source?: TraceSource): Promise<void> {
    const run = source ? await this.load(source) : this.runs[0];
    if (!run) {
      void vscode.window.showInformationMessage('There is no trace to export yet: run a lab with "Run with Timeline" first.');
      return;
    }
    await this.save(run);
  }

  /** Writes the trace exactly as the panel read it. */
  private async save(run: HostRun): Promise<void> {
    if (run.snapshot.text === undefined) {
      void vscode.window.showErrorMessage(`Cannot export ${run.snapshot.label}: ${run.snapshot.problem?.message ?? 'it could not be read.'}`);
      return;
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `${path.basename(run.source.path, '.json').replace(/[^\w.-]+/g, '-')}.json`;
    const target = await vscode.window.showSaveDialog({
      title: 'Export trace (Chrome Trace Event JSON; opens in Perfetto)',
      saveLabel: 'Export',
      filters: { 'Trace files': ['json'] },
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
    });
    if (!target) {
      return;
    }
    try {
      await fs.writeFile(target.fsPath, run.snapshot.text, 'utf8');
      this.deps.log(`Exported trace ${run.source.path} to ${target.fsPath}`);
      void vscode.window.showInformationMessage(`Trace saved to ${target.fsPath}.`);
    } catch (error) {
      const message = `Could not export the trace to ${target.fsPath}: ${(error as Error).message}. Pick a folder you can write to.`;
      this.deps.log(message);
      void vscode.window.showErrorMessage(message);
    }
  }

  dispose(): void {
    this.rendered.dispose();
    this.panel?.dispose();
    this.panel = undefined;
    vscode.Disposable.from(...this.disposables.splice(0)).dispose();
  }

  private async load(source: TraceSource): Promise<HostRun> {
    const snapshot = await readRun(`run-${this.nextId++}`, source);
    if (snapshot.problem) {
      this.deps.log(`Timeline: ${snapshot.problem.message}`);
    }
    return { source, snapshot };
  }

  private reveal(): void {
    const title = `Timeline: ${this.runs.map((run) => run.snapshot.label).join(' vs ')}`;
    if (this.panel) {
      this.panel.title = title;
      this.panel.reveal(undefined, true);
      this.sendSnapshot();
      return;
    }
    const webviewRoot = vscode.Uri.joinPath(this.deps.extensionUri, 'dist', 'webview');
    const mediaRoot = vscode.Uri.joinPath(this.deps.extensionUri, 'media');
    const panel = vscode.window.createWebviewPanel(TIMELINE_VIEW_TYPE, title, { viewColumn: columnBesideTheEditor(), preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [webviewRoot, mediaRoot],
    });
    this.panel = panel;
    this.ready = false;
    panel.webview.html = timelineHtml({
      cspSource: panel.webview.cspSource,
      nonce: makeNonce(),
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'timeline.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, 'timeline.css')).toString(),
      title,
    });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((data: unknown) => {
        void this.onMessage(data);
      }),
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.ready = false;
        vscode.Disposable.from(...this.disposables.splice(0)).dispose();
      }),
    );
  }

  /** Only after `ready`: a message posted before the webview listens is lost. */
  private sendSnapshot(): void {
    if (!this.panel || !this.ready) {
      return;
    }
    const message: HostToWebview = { type: 'snapshot', runs: this.runs.map((run) => run.snapshot) };
    void this.panel.webview.postMessage(message);
  }

  private async onMessage(data: unknown): Promise<void> {
    const message: WebviewToHost | undefined = parseWebviewMessage(data);
    if (!message) {
      this.deps.log(`Timeline: ignored a malformed message from the webview: ${JSON.stringify(data)?.slice(0, 200)}`);
      return;
    }
    switch (message.type) {
      case 'ready':
        // Also after the panel was hidden and shown again: the webview starts afresh each time.
        this.ready = true;
        this.sendSnapshot();
        return;
      case 'openSource':
        await this.openSource(message.runId, message.file, message.line, message.root);
        return;
      case 'exportTrace': {
        const run = this.runs.find((candidate) => candidate.snapshot.id === message.runId);
        if (run) {
          await this.save(run);
        }
        return;
      }
      case 'compare':
        await this.pickAndCompare();
        return;
      case 'keepOnly':
        this.runs = this.runs.filter((run) => run.snapshot.id === message.runId);
        this.reveal();
        return;
      case 'rendered': {
        const runs = this.runs.map((run) => run.snapshot.label);
        if (message.state === 'problem') {
          this.deps.log(`Timeline: could not draw ${runs.join(' and ')} (the panel says why)`);
        }
        this.rendered.fire({ state: message.state, runs, ms: message.ms });
        return;
      }
      case 'error':
        this.deps.log(`Timeline webview error: ${message.message}`);
        return;
      default:
        assertNever(message);
    }
  }

  private async openSource(runId: string, file: string, line: number, traceRoot: string | undefined): Promise<void> {
    const source = this.runs.find((run) => run.snapshot.id === runId)?.source;
    const roots = [source?.sourceRoot, traceRoot, source ? path.dirname(source.path) : undefined];
    const found = await findSource(file, roots);
    if (!found) {
      const looked = sourceCandidates(file, roots).join(', ');
      void vscode.window.showWarningMessage(`Could not find ${file} (looked for ${looked || 'it nowhere: no folder is known'}). Was the lab reset or moved since this run?`);
      return;
    }
    const position = new vscode.Position(Math.max(0, line - 1), 0);
    await vscode.window.showTextDocument(vscode.Uri.file(found), {
      viewColumn: vscode.ViewColumn.One,
      preview: false,
      selection: new vscode.Range(position, position),
    });
  }
}

/**
 * Where a new timeline opens: in the editor group beside the learner's code when there already is one (the
 * instructions' group, after Start Lab), so a timeline never squeezes the editor into a third column.
 */
function columnBesideTheEditor(): vscode.ViewColumn {
  const active = vscode.window.tabGroups.activeTabGroup;
  const others = vscode.window.tabGroups.all.filter((group) => group !== active);
  const target = others.find((group) => group.viewColumn > active.viewColumn) ?? others[others.length - 1];
  return target?.viewColumn ?? vscode.ViewColumn.Beside;
}
