/**
 * Check results in VS Code's Testing API: one controller ("Concurrency Labs", separate from the learner's
 * own tests), a test item per started lab and one per check, attached to the learner's entry file. Failed
 * checks carry a location (the peek opens inline at that line) and a diff only where the check lets the
 * expected value be shown. The results themselves live in CheckService; this is a view of them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Lab } from '../../core/catalog';
import { CheckResult } from '../../core/results';
import { LabService } from '../labService';
import { ReportContext, checkMessages, spotOf, terminalText } from './checkReport';
import { locationOf, rangeOf } from './checkDiagnostics';

export const CONTROLLER_ID = 'concurrencyLabs';

export interface TestingRunRequest {
  readonly lab: Lab;
  /** Check ids to run; undefined runs them all. */
  readonly only?: readonly string[];
  readonly request: vscode.TestRunRequest;
  readonly token: vscode.CancellationToken;
}

const labItemId = (labId: string): string => `lab/${labId}`;
const checkItemId = (labId: string, checkId: string): string => `lab/${labId}/${checkId}`;

export class LabTestController implements vscode.Disposable {
  readonly controller = vscode.tests.createTestController(CONTROLLER_ID, 'Concurrency Labs');
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly labs: LabService,
    runHandler: (run: TestingRunRequest) => Promise<unknown>,
  ) {
    this.controller.createRunProfile(
      'Check',
      vscode.TestRunProfileKind.Run,
      async (request, token) => {
        for (const run of this.requestedRuns(request, token)) {
          if (token.isCancellationRequested) {
            break;
          }
          await runHandler(run);
        }
      },
      true,
    );
    this.controller.refreshHandler = () => this.sync();
    this.subscriptions.push(labs.onDidChange(() => this.sync()));
    this.sync();
  }

  /** One item per started lab (its folder exists), its checks as children. */
  sync(): void {
    const wanted = new Set<string>();
    for (const lab of this.labs.catalog.labs) {
      const dir = this.labs.learnerDir(lab);
      if (dir && fs.existsSync(dir)) {
        wanted.add(labItemId(lab.manifest.id));
        this.itemOf(lab, dir);
      }
    }
    this.controller.items.forEach((item) => {
      if (!wanted.has(item.id)) {
        this.controller.items.delete(item.id);
      }
    });
  }

  /** The lab's item, created (or re-created for a moved labs folder) as needed. */
  itemOf(lab: Lab, learnerDir: string): vscode.TestItem {
    const { manifest } = lab;
    const uri = vscode.Uri.file(path.join(learnerDir, manifest.entry));
    const existing = this.controller.items.get(labItemId(manifest.id));
    if (existing && existing.uri?.fsPath === uri.fsPath) {
      return existing;
    }
    const item = this.controller.createTestItem(labItemId(manifest.id), manifest.title, uri);
    item.description = manifest.description;
    item.sortText = `${manifest.part}-${String(manifest.order).padStart(4, '0')}`;
    for (const [index, check] of manifest.checks.entries()) {
      const child = this.controller.createTestItem(checkItemId(manifest.id, check.id), check.title, uri);
      child.sortText = String(index).padStart(4, '0');
      item.children.add(child);
    }
    this.controller.items.add(item);
    return item;
  }

  checkItem(lab: Lab, learnerDir: string, checkId: string): vscode.TestItem | undefined {
    return this.itemOf(lab, learnerDir).children.get(checkItemId(lab.manifest.id, checkId));
  }

  /** Turns a Testing request (labs and checks picked in Test Explorer) into one run per lab. */
  private requestedRuns(request: vscode.TestRunRequest, token: vscode.CancellationToken): TestingRunRequest[] {
    const included: vscode.TestItem[] = [];
    if (request.include) {
      included.push(...request.include);
    } else {
      this.controller.items.forEach((item) => included.push(item));
    }
    const excluded = new Set((request.exclude ?? []).map((item) => item.id));
    const byLab = new Map<string, { lab: Lab; only: Set<string> | undefined }>();
    for (const item of included) {
      const [, labId, checkId] = item.id.split('/');
      const lab = this.labs.lab(labId);
      if (!lab || excluded.has(item.id)) {
        continue;
      }
      const entry = byLab.get(labId) ?? { lab, only: new Set<string>() };
      if (checkId === undefined || entry.only === undefined) {
        entry.only = undefined;
      } else {
        entry.only.add(checkId);
      }
      byLab.set(labId, entry);
    }
    return [...byLab.values()].map(({ lab, only }) => {
      const ids = (only ? [...only] : lab.manifest.checks.map((check) => check.id)).filter((id) => !excluded.has(checkItemId(lab.manifest.id, id)));
      const all = ids.length === lab.manifest.checks.length;
      return { lab, request, token, ...(all ? {} : { only: ids }) };
    });
  }

  /** Starts a Testing run for a Check started anywhere (command, save, Test Explorer). */
  startRun(lab: Lab, learnerDir: string, only: readonly string[] | undefined, request?: vscode.TestRunRequest): vscode.TestRun {
    const labItem = this.itemOf(lab, learnerDir);
    const testRun = this.controller.createTestRun(request ?? new vscode.TestRunRequest([labItem]), `Check ${lab.manifest.title}`, true);
    for (const check of lab.manifest.checks) {
      const item = labItem.children.get(checkItemId(lab.manifest.id, check.id));
      if (item && (!only || only.includes(check.id))) {
        testRun.enqueued(item);
      }
    }
    return testRun;
  }

  /** Puts one check's verdict, messages, output and gutter position into the run. */
  report(testRun: vscode.TestRun, lab: Lab, learnerDir: string, result: CheckResult, context: ReportContext): void {
    const item = this.checkItem(lab, learnerDir, result.id);
    if (!item) {
      return;
    }
    const spot = spotOf(result, learnerDir);
    item.range = spot && spot.file === item.uri?.fsPath && result.status !== 'passed' ? rangeOf(spot) : undefined;
    if (result.output) {
      const location = spot ? locationOf(spot) : undefined;
      testRun.appendOutput(terminalText(`── ${result.title} ──\n${result.output}\n`), location, item);
    }
    const messages = checkMessages(result, context).map((message) => {
      const testMessage =
        message.expected !== undefined && message.actual !== undefined
          ? vscode.TestMessage.diff(message.text, message.expected, message.actual)
          : new vscode.TestMessage(message.text);
      if (message.spot) {
        testMessage.location = locationOf(message.spot);
      }
      if (message.frames.length > 0) {
        // Innermost first, as a debugger's call stack reads.
        testMessage.stackTrace = [...message.frames]
          .reverse()
          .map((frame) => new vscode.TestMessageStackFrame(frame.label, vscode.Uri.file(frame.spot.file), new vscode.Position(frame.spot.line - 1, 0)));
      }
      return testMessage;
    });
    const duration = result.durationMs;
    switch (result.status) {
      case 'passed':
        testRun.passed(item, duration);
        break;
      case 'skipped':
        testRun.skipped(item);
        break;
      case 'failed':
      case 'timedOut':
        testRun.failed(item, messages, duration);
        break;
      case 'error':
        testRun.errored(item, messages, duration);
        break;
    }
  }

  started(testRun: vscode.TestRun, lab: Lab, learnerDir: string, checkId: string): void {
    const item = this.checkItem(lab, learnerDir, checkId);
    if (item) {
      testRun.started(item);
    }
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
    this.controller.dispose();
  }
}
