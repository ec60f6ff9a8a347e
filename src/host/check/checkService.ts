/**
 * Check Lab end to end: the safety checks (prepareRun), a snapshot of the learner's files, the hidden
 * checks through the same core and Python runtime as the CLI, then every view of the result: Testing,
 * squiggles, progress and the tree, the pass notification, and the timeline. Keeps the latest results
 * per lab (the source of truth: stable VS Code cannot read test results back).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Lab, nextLab } from '../../core/catalog';
import { CheckResult, RunStatus } from '../../core/results';
import { CheckRun, runChecks } from '../../core/runner';
import { Snapshot, recordSnapshotResult, takeSnapshot } from '../../core/snapshots';
import { SHOW_SOLUTION_COMMAND } from '../hints/registerHints';
import { ShowTrace, freshTracePath } from '../run/labTraces';
import { PreparedRun, Refusal, RunDeps, prepareRun } from '../safety/prepareRun';
import { CheckDiagnostics } from './checkDiagnostics';
import { ReportContext, diagnosticsOf, passCount } from './checkReport';
import { LabTestController } from './labTestController';

const SNAPSHOT_LIMIT = 20;

export interface CheckDeps extends RunDeps {
  readonly diagnostics: CheckDiagnostics;
  /** A folder of the extension's own storage for this Check's timeline file. */
  /** Where this run's timeline goes (asked at each run: the labs folder can change). */
  readonly traceDir: () => string;
  /** Opens a recorded timeline; wired to the timeline panel in extension.ts. */
  readonly showTrace?: ShowTrace;
}

export interface CheckOptions {
  readonly only?: readonly string[];
  readonly request?: vscode.TestRunRequest;
  readonly token?: vscode.CancellationToken;
  /** A Check on save says nothing when it passes again; one asked for says so. */
  readonly trigger: 'command' | 'save' | 'testing';
}

export interface Checked {
  readonly kind: 'checked';
  readonly labId: string;
  readonly status: RunStatus;
  readonly cancelled: boolean;
  readonly run: CheckRun;
  /** The merged latest result of every check of the lab (a partial run replaces only its own). */
  readonly results: readonly CheckResult[];
  readonly snapshot?: number;
  readonly tracePath?: string;
}

export type CheckOutcome = Checked | Refusal;

export class CheckService implements vscode.Disposable {
  private readonly latest = new Map<string, readonly CheckResult[]>();
  private readonly checked = new vscode.EventEmitter<Checked>();
  readonly onDidCheck = this.checked.event;
  readonly tests: LabTestController;
  /** The last verdict in the status bar; a new Check replaces it, so an old "0 of 4" never sits beside a pass. */
  private verdictMessage: vscode.Disposable | undefined;

  constructor(private readonly deps: CheckDeps) {
    this.tests = new LabTestController(deps.labs, (run) => this.check(run.lab, { trigger: 'testing', request: run.request, token: run.token, ...(run.only ? { only: run.only } : {}) }));
  }

  /** The latest result of each check of a lab in this session. */
  results(labId: string): readonly CheckResult[] | undefined {
    return this.latest.get(labId);
  }

  async check(lab: Lab, options: CheckOptions): Promise<CheckOutcome> {
    this.showVerdict(undefined);
    const prepared = await prepareRun(this.deps, lab, 'check');
    if (prepared.kind === 'refused') {
      this.reportRefusal(lab, prepared, options);
      return prepared;
    }
    try {
      return await this.runPrepared(prepared, options);
    } finally {
      this.deps.registry.end(prepared.active);
    }
  }

  /** Test Explorer asked for this run: it must show why nothing ran. */
  private reportRefusal(lab: Lab, refusal: Refusal, options: CheckOptions): void {
    const learnerDir = this.deps.labs.learnerDir(lab);
    if (!options.request || !learnerDir) {
      return;
    }
    const testRun = this.tests.startRun(lab, learnerDir, options.only, options.request);
    for (const check of lab.manifest.checks) {
      const item = this.tests.checkItem(lab, learnerDir, check.id);
      if (item && (!options.only || options.only.includes(check.id))) {
        testRun.errored(item, new vscode.TestMessage(refusal.message));
      }
    }
    testRun.end();
  }

  private snapshot(prepared: PreparedRun): Snapshot | undefined {
    const { lab, labsFolder, learnerDir } = prepared;
    try {
      return takeSnapshot(labsFolder, { labId: lab.manifest.id, learnerDir, files: lab.manifest.files }, 'check', SNAPSHOT_LIMIT);
    } catch (error) {
      // A full disk must not stop the Check; the learner's files themselves are untouched.
      this.deps.output.line(`No snapshot of this attempt: ${(error as Error).message}`);
      return undefined;
    }
  }

  private tracePathFor(lab: Lab): string | undefined {
    const wanted = vscode.workspace.getConfiguration('concurrencyLabs').get<boolean>('openTimelineAfterCheck', true);
    return wanted && this.deps.showTrace ? freshTracePath(this.deps.traceDir(), lab.manifest.id, 'check') : undefined;
  }

  private async runPrepared(prepared: PreparedRun, options: CheckOptions): Promise<Checked> {
    const { lab, learnerDir, python, active } = prepared;
    const { manifest } = lab;
    const cancel = options.token?.onCancellationRequested(() => active.controller.abort());
    const snapshot = this.snapshot(prepared);
    const tracePath = this.tracePathFor(lab);
    const testRun = this.tests.startRun(lab, learnerDir, options.only, options.request);
    this.deps.output.line(`Checking ${manifest.id} with Python at ${python.executable}${options.only ? ` (only ${options.only.join(', ')})` : ''}`);
    let run: CheckRun;
    try {
      run = await runChecks({
        lab,
        workDir: learnerDir,
        labsRoot: this.deps.labs.labsRoot,
        pythonExecutable: python.executable,
        ...(tracePath ? { tracePath } : {}),
        ...(options.only ? { only: options.only } : {}),
        signal: active.controller.signal,
        onEvent: (event) => {
          if (event.type === 'checkStart') {
            this.tests.started(testRun, lab, learnerDir, event.id);
          }
        },
        onOutput: (text) => this.deps.output.channel.append(text),
      });
    } catch (error) {
      // Never leave Test Explorer spinning on a run that cannot end by itself.
      testRun.end();
      throw error;
    } finally {
      cancel?.dispose();
    }
    const cancelled = active.controller.signal.aborted;
    const selected = (result: CheckResult): boolean => !options.only || options.only.includes(result.id);

    const progress = this.deps.labs.progress();
    const passedBefore = progress?.get(manifest.id).lastStatus === 'passed';
    // A stopped Check is no attempt; a partial one cannot pass the lab, but its failure counts.
    const counts = !cancelled && (!options.only || run.status !== 'passed');
    if (counts) {
      progress?.recordCheck(manifest.id, run.status);
    }
    const context: ReportContext = {
      workDir: learnerDir,
      entryFile: path.join(learnerDir, manifest.entry),
      hints: manifest.hints,
      hintsSeen: progress?.get(manifest.id).hintsSeen ?? 0,
    };
    for (const result of run.checks.filter(selected)) {
      this.tests.report(testRun, lab, learnerDir, result, context);
    }
    const previous = this.latest.get(manifest.id);
    const results = run.checks.map((result) => (selected(result) || !previous ? result : (previous.find((old) => old.id === result.id) ?? result)));
    if (!cancelled) {
      this.latest.set(manifest.id, results);
      this.deps.diagnostics.show(manifest.id, diagnosticsOf(results, context));
    }
    testRun.end();

    const counted = passCount(run.checks.filter(selected));
    const recorded = snapshot && counts ? recordSnapshotResult(snapshot, run.status, counted.passed, counted.total) : snapshot;
    this.deps.output.line(`${manifest.id}: ${cancelled ? 'stopped' : run.status}, ${counted.passed} of ${counted.total} checks passed (${run.durationMs} ms)`);
    this.deps.labs.notify();

    const checked: Checked = {
      kind: 'checked',
      labId: manifest.id,
      status: run.status,
      cancelled,
      run,
      results,
      ...(recorded ? { snapshot: recorded.number } : {}),
      ...(run.tracePath ? { tracePath: run.tracePath } : {}),
    };
    this.announce(lab, checked, options, passedBefore);
    if (run.tracePath && this.deps.showTrace && !cancelled) {
      try {
        await this.deps.showTrace(lab, run.tracePath);
      } catch (error) {
        this.deps.output.line(`The timeline could not be shown: ${(error as Error).message}`);
      }
    }
    this.checked.fire(checked);
    return checked;
  }

  /** Says what the learner needs to hear that the Testing views do not already show. */
  private announce(lab: Lab, checked: Checked, options: CheckOptions, passedBefore: boolean): void {
    const { manifest } = lab;
    const { run } = checked;
    if (checked.cancelled) {
      this.showVerdict(`Check of "${manifest.title}" stopped`, 5000);
      return;
    }
    if (run.fatal) {
      const goTo = 'Go to Line';
      const file = run.fatal.file ? path.join(this.deps.labs.learnerDir(lab) ?? '', run.fatal.file) : undefined;
      void vscode.window
        .showErrorMessage(`"${manifest.title}" could not be checked: ${run.fatal.message}`, ...(file ? [goTo] : []), 'Show Output')
        .then((choice) => {
          if (choice === goTo && file) {
            const line = Math.max(0, (run.fatal?.line ?? 1) - 1);
            void vscode.window.showTextDocument(vscode.Uri.file(file), { selection: new vscode.Range(line, 0, line, 0) });
          } else if (choice === 'Show Output') {
            this.deps.output.channel.show(true);
          }
        });
      return;
    }
    if (run.status === 'error' && !run.checks.some((result) => result.file)) {
      void vscode.window.showErrorMessage(`The checker of "${manifest.title}" failed: ${run.checks.find((result) => result.status === 'error')?.message ?? 'see the output'}`, 'Show Output').then((choice) => {
        if (choice) {
          this.deps.output.channel.show(true);
        }
      });
      return;
    }
    if (run.status === 'passed' && !options.only) {
      // Saving a passed lab again should not bring up the same congratulations each time.
      if (options.trigger === 'save' && passedBefore) {
        return;
      }
      const progress = this.deps.labs.progress();
      const next = nextLab(this.deps.labs.catalog, manifest.id, (id) => progress?.get(id).passed !== undefined);
      const startNext = next ? `Start Next Lab: ${next.manifest.title}` : undefined;
      const compare = 'Compare with Solution';
      const allDone = next ? '' : ' Every lab is passed now — well done!';
      void vscode.window
        .showInformationMessage(`"${manifest.title}" passed all ${manifest.checks.length} checks.${allDone}`, ...(startNext ? [startNext] : []), compare)
        .then((choice) => {
          if (choice === startNext && next) {
            void vscode.commands.executeCommand('concurrencyLabs.startLab', next.manifest.id);
          } else if (choice === compare) {
            void vscode.commands.executeCommand(SHOW_SOLUTION_COMMAND, manifest.id);
          }
        });
      return;
    }
    const { passed, total } = passCount(run.checks.filter((result) => !options.only || options.only.includes(result.id)));
    this.showVerdict(`$(testing-failed-icon) "${manifest.title}": ${passed} of ${total} checks passed`, 8000);
  }

  private showVerdict(text: string | undefined, timeoutMs?: number): void {
    this.verdictMessage?.dispose();
    this.verdictMessage = text === undefined ? undefined : vscode.window.setStatusBarMessage(text, timeoutMs ?? 8000);
  }

  dispose(): void {
    this.verdictMessage?.dispose();
    this.tests.dispose();
    this.checked.dispose();
  }
}
