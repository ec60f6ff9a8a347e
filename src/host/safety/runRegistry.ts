/**
 * Every run of learner code in flight (a Check or a Run with Timeline), one per lab: its Stop, the
 * status-bar item that offers it, and the kill of them all on deactivation.
 */
import * as vscode from 'vscode';

export const STOP_COMMAND = 'concurrencyLabs.stopRun';
const RUNNING_CONTEXT = 'concurrencyLabs.running';

export type RunKind = 'check' | 'run';

export interface ActiveRun {
  readonly labId: string;
  readonly title: string;
  readonly kind: RunKind;
  readonly controller: AbortController;
}

export class RunRegistry implements vscode.Disposable {
  private readonly runs = new Map<string, ActiveRun>();
  private readonly item = vscode.window.createStatusBarItem('concurrencyLabs.run', vscode.StatusBarAlignment.Left, 100);
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor() {
    this.item.name = 'Concurrency Labs: running';
    this.item.command = STOP_COMMAND;
  }

  active(labId: string): ActiveRun | undefined {
    return this.runs.get(labId);
  }

  get all(): readonly ActiveRun[] {
    return [...this.runs.values()];
  }

  /** Registers a run, or answers undefined when that lab already has one. */
  begin(labId: string, title: string, kind: RunKind): ActiveRun | undefined {
    if (this.runs.has(labId)) {
      return undefined;
    }
    const run: ActiveRun = { labId, title, kind, controller: new AbortController() };
    this.runs.set(labId, run);
    this.update();
    return run;
  }

  end(run: ActiveRun): void {
    if (this.runs.get(run.labId) === run) {
      this.runs.delete(run.labId);
      this.update();
    }
  }

  /** Stops the runs of one lab, or all of them. Returns how many were stopped. */
  stop(labId?: string): number {
    const targets = labId ? [this.runs.get(labId)].filter((run): run is ActiveRun => run !== undefined) : this.all;
    for (const run of targets) {
      run.controller.abort();
    }
    return targets.length;
  }

  private update(): void {
    const runs = this.all;
    void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, runs.length > 0);
    if (runs.length === 0) {
      this.item.hide();
    } else {
      const verb = (run: ActiveRun): string => (run.kind === 'check' ? 'Checking' : 'Running');
      this.item.text =
        runs.length === 1 ? `$(sync~spin) ${verb(runs[0])} ${runs[0].title}… $(debug-stop) Stop` : `$(sync~spin) ${runs.length} lab runs… $(debug-stop) Stop all`;
      this.item.tooltip = runs.map((run) => `${verb(run)} "${run.title}"`).join('\n') + '\nClick to stop (the whole process tree is killed).';
      this.item.show();
    }
    this.changed.fire();
  }

  /** Deactivation: nothing the learner started may outlive the window. */
  dispose(): void {
    this.stop();
    this.runs.clear();
    this.item.dispose();
    this.changed.dispose();
  }
}
