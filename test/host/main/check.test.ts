/**
 * Check Lab inside a real VS Code, on the real flags-sequential lab and the real Python runtime: a failing
 * starter, a hang, Stop, no Python, a passing solution, then hints, the solution diff, restoring an
 * attempt and Run with Timeline. Leaves the workspace as it found it for the suites after it.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Checked, CheckOutcome } from '../../../src/host/check/checkService';
import type { HintShown, SolutionOutcome } from '../../../src/host/hints/registerHints';
import type { RunOutcome } from '../../../src/host/run/registerRunWithTimeline';
import type { Restored } from '../../../src/host/attempts/registerAttempts';
import { activateExtension, until, workspaceRoot } from '../helpers';

const LAB = 'flags-sequential';
const DIAGNOSTIC_SOURCE = 'Concurrency Labs';

/** A downloader that starts a child process, then waits forever on a lock it already holds. */
const DEADLOCK = `import subprocess
import sys
import threading
from pathlib import Path

LOCK = threading.Lock()


def download_many(cc_list):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    Path(__file__).with_name("child.pid").write_text(str(child.pid))
    with LOCK:
        with LOCK:
            return len(cc_list)


if __name__ == "__main__":
    download_many([])
`;
const DEADLOCK_LINE = 13;

function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function checked(outcome: CheckOutcome | undefined): Checked {
  assert.ok(outcome, 'Check Lab returned nothing');
  assert.equal(outcome.kind, 'checked', outcome.kind === 'refused' ? outcome.message : '');
  return outcome;
}

async function check(): Promise<Checked> {
  return checked(await vscode.commands.executeCommand<CheckOutcome>('concurrencyLabs.checkLab', LAB));
}

function diagnosticsOf(file: string): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(vscode.Uri.file(file)).filter((diagnostic) => diagnostic.source === DIAGNOSTIC_SOURCE);
}

describe('Check Lab (extension host)', function () {
  this.timeout(120000);
  let labDir: string;
  let entry: string;
  let solution: string;

  before(async () => {
    const { api, extension } = await activateExtension();
    labDir = path.join(workspaceRoot(), 'concurrency-labs', LAB);
    entry = path.join(labDir, 'flags.py');
    solution = path.join(extension.extensionPath, 'labs', LAB, 'solution', 'flags.py');
    await vscode.commands.executeCommand('concurrencyLabs.startLab', LAB);
    assert.equal(api.labs.status(api.labs.lab(LAB)!), 'inProgress');
  });

  after(async () => {
    const { api } = await activateExtension();
    await vscode.workspace.getConfiguration('concurrencyLabs').update('pythonPath', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('concurrencyLabs').update('checkOnSave', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // The next suites expect a workspace where no lab was ever started.
    fs.rmSync(path.join(workspaceRoot(), 'concurrency-labs'), { recursive: true, force: true });
    api.labs.refresh();
  });

  it('the starter fails at a line of the learner’s file, in Testing and as a squiggle', async () => {
    const { api } = await activateExtension();
    const run = await check();
    assert.equal(run.status, 'failed');
    const failure = run.results.find((result) => result.status === 'failed' && result.line);
    assert.ok(failure, 'a failed check names a line');
    assert.equal(failure.file, 'flags.py');
    const squiggles = diagnosticsOf(entry);
    assert.ok(squiggles.some((diagnostic) => diagnostic.range.start.line === failure.line! - 1), 'a squiggle on the failing line');
    assert.match(squiggles[0].message, new RegExp(failure.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    const item = api.checks.tests.controller.items.get(`lab/${LAB}`)?.children.get(`lab/${LAB}/${failure.id}`);
    assert.ok(item, 'Test Explorer has the check');
    assert.equal(item.uri?.fsPath, entry);
    assert.equal(item.range?.start.line, failure.line! - 1, 'the test item sits at the failing line');
    assert.equal(api.labs.status(api.labs.lab(LAB)!), 'failed');
    assert.equal(run.snapshot, 1, 'the attempt was kept');
  });

  it('editing the file clears its squiggles', async () => {
    const document = await vscode.workspace.openTextDocument(entry);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, new vscode.Position(document.lineCount, 0), '# thinking\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await until('the squiggles to go', () => diagnosticsOf(entry).length === 0 || undefined);
    await document.save();
  });

  it('Show Hint reveals the hint the failure named, then climbs the ladder', async () => {
    const { api } = await activateExtension();
    const named = (await check()).results.find((result) => result.status === 'failed')!.hint;
    assert.ok(named, 'the first failure names the hint that fits it');
    const first = await vscode.commands.executeCommand<HintShown>('concurrencyLabs.showHint', LAB);
    assert.deepEqual([first.number, first.reason], [named, 'fitsFailure']);
    const second = await vscode.commands.executeCommand<HintShown>('concurrencyLabs.showHint', LAB);
    const expected = named < first.total ? [named + 1, 'next'] : [named, 'allSeen'];
    assert.deepEqual([second.number, second.reason], expected);
    assert.equal(api.labs.progress()?.get(LAB).hintsSeen, expected[0], 'hints seen persist in the progress file');
  });

  it('Show Solution explains when it unlocks while the lab is not passed', async () => {
    const outcome = await vscode.commands.executeCommand<SolutionOutcome>('concurrencyLabs.showSolution', LAB);
    assert.equal(outcome.unlocked, false);
    assert.match(outcome.unlocked ? '' : outcome.explanation, /after 5 failed Checks \(2 so far, 3 to go\)/);
  });

  it('a deadlock times out with the waiting line, and no process is left behind', async () => {
    fs.writeFileSync(entry, DEADLOCK);
    const run = await check();
    assert.equal(run.status, 'timedOut');
    const hung = run.results.find((result) => result.status === 'timedOut');
    assert.ok(hung, 'a check timed out');
    assert.match(hung.message, /possible deadlock/);
    const squiggle = diagnosticsOf(entry).find((diagnostic) => diagnostic.relatedInformation?.length);
    assert.ok(squiggle, 'the time-out squiggle lists where the threads waited');
    assert.ok(squiggle.relatedInformation!.some((related) => related.location.range.start.line === DEADLOCK_LINE - 1));
    const pid = Number(fs.readFileSync(path.join(labDir, 'child.pid'), 'utf8'));
    await until('the learner’s child process to be gone', () => !isRunning(pid) || undefined, 5000);
  });

  it('Stop ends a running Check and its whole process tree', async () => {
    const { api } = await activateExtension();
    fs.rmSync(path.join(labDir, 'child.pid'), { force: true });
    const pending = vscode.commands.executeCommand<CheckOutcome>('concurrencyLabs.checkLab', LAB);
    await until('the program to start', () => fs.existsSync(path.join(labDir, 'child.pid')) || undefined, 20000);
    assert.ok(api.runs.active(LAB), 'the run is registered while it runs');
    assert.equal(await vscode.commands.executeCommand('concurrencyLabs.stopRun', LAB), 1);
    const run = checked(await pending);
    assert.equal(run.cancelled, true);
    assert.equal(api.runs.active(LAB), undefined);
    const pid = Number(fs.readFileSync(path.join(labDir, 'child.pid'), 'utf8'));
    await until('the learner’s child process to be gone', () => !isRunning(pid) || undefined, 5000);
    assert.equal(api.labs.progress()?.get(LAB).attempts, 3, 'a stopped Check is not an attempt');
  });

  it('with no usable Python, says what to set and runs nothing', async () => {
    const missing = path.join(workspaceRoot(), 'no-such-python');
    await vscode.workspace.getConfiguration('concurrencyLabs').update('pythonPath', missing, vscode.ConfigurationTarget.Workspace);
    const outcome = await vscode.commands.executeCommand<CheckOutcome>('concurrencyLabs.checkLab', LAB);
    assert.equal(outcome.kind, 'refused');
    assert.equal(outcome.kind === 'refused' && outcome.reason, 'noPython');
    assert.match(outcome.kind === 'refused' ? outcome.message : '', /concurrencyLabs\.pythonPath/);
    await vscode.workspace.getConfiguration('concurrencyLabs').update('pythonPath', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('the reference solution passes, the tree turns green and the solution unlocks', async () => {
    const { api } = await activateExtension();
    fs.copyFileSync(solution, entry);
    const run = await check();
    assert.equal(run.status, 'passed', JSON.stringify(run.results, null, 1));
    assert.equal(diagnosticsOf(entry).length, 0, 'no squiggle is left');
    const node = api.tree.getChildren().flatMap((part) => api.tree.getChildren(part)).find((candidate) => candidate.kind === 'lab' && candidate.lab.manifest.id === LAB)!;
    assert.equal(api.tree.getTreeItem(node).contextValue, 'lab.passed');
    const outcome = await vscode.commands.executeCommand<SolutionOutcome>('concurrencyLabs.showSolution', LAB);
    assert.deepEqual(outcome, { unlocked: true, file: 'flags.py' });
    await until('the solution diff to open', () =>
      vscode.window.tabGroups.all.flatMap((group) => group.tabs).some((tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.fsPath === entry) || undefined,
    );
  });

  it('Check on save checks the lab when the setting is on', async () => {
    const { api } = await activateExtension();
    await vscode.workspace.getConfiguration('concurrencyLabs').update('checkOnSave', true, vscode.ConfigurationTarget.Workspace);
    const before = api.labs.progress()?.get(LAB).attempts ?? 0;
    const next = new Promise<Checked>((resolve) => {
      const subscription = api.checks.onDidCheck((run) => {
        subscription.dispose();
        resolve(run);
      });
    });
    const document = await vscode.workspace.openTextDocument(entry);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, new vscode.Position(document.lineCount, 0), '# saved\n');
    await vscode.workspace.applyEdit(edit);
    await document.save();
    assert.equal((await next).status, 'passed');
    assert.equal(api.labs.progress()?.get(LAB).attempts, before + 1, 'one save, one Check');
    await vscode.workspace.getConfiguration('concurrencyLabs').update('checkOnSave', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('Restore Attempt brings back the first attempt and keeps the current files', async () => {
    const starter = fs.readFileSync(path.join(path.dirname(path.dirname(solution)), 'starter', 'flags.py'), 'utf8');
    const current = fs.readFileSync(entry, 'utf8');
    const restored = await vscode.commands.executeCommand<Restored>('concurrencyLabs.restoreAttempt', LAB, 1);
    assert.equal(restored.restored, 1);
    assert.equal(fs.readFileSync(entry, 'utf8'), starter);
    assert.ok(restored.saved, 'the files before the restore were kept');
    const keptDir = path.join(workspaceRoot(), 'concurrency-labs', '.snapshots', LAB, String(restored.saved));
    assert.equal(fs.readFileSync(path.join(keptDir, 'flags.py'), 'utf8'), current);
  });

  it('Run with Timeline runs the program and shows its output', async () => {
    fs.copyFileSync(solution, entry);
    const run = await vscode.commands.executeCommand<RunOutcome>('concurrencyLabs.runWithTimeline', LAB);
    assert.equal(run.kind, 'ran');
    assert.equal(run.kind === 'ran' && run.status, 'exited');
    assert.equal(run.kind === 'ran' && run.exitCode, 0, run.kind === 'ran' ? run.output : '');
    assert.match(run.kind === 'ran' ? run.output : '', /20 flags downloaded in/);
    if (run.kind === 'ran' && run.tracePath) {
      assert.ok(fs.existsSync(run.tracePath), 'a reported timeline exists');
    }
  });
});
