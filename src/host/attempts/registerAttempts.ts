/** Restore Attempt…: puts the files of an earlier Check back, after keeping the current ones as a snapshot. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Lab } from '../../core/catalog';
import { Snapshot, listSnapshots, restoreSnapshot } from '../../core/snapshots';
import { LabService } from '../labService';
import { LabArgument, pickLab } from '../labs/pickLab';
import { Output } from '../output';
import { RESTORE_ATTEMPT_COMMAND, saveLabDocuments } from '../safety/prepareRun';
import { RunRegistry } from '../safety/runRegistry';

export interface AttemptDeps {
  readonly labs: LabService;
  readonly registry: RunRegistry;
  readonly output: Output;
}

export interface Restored {
  readonly restored: number;
  /** The snapshot that now holds the files as they were before the restore. */
  readonly saved?: number;
}

export function describeSnapshot(snapshot: Snapshot): { label: string; description: string } {
  const verdict =
    snapshot.reason === 'beforeRestore'
      ? 'your files just before a restore'
      : snapshot.status
        ? `${snapshot.status === 'passed' ? 'passed' : snapshot.status}${snapshot.totalChecks ? `, ${snapshot.passedChecks ?? 0} of ${snapshot.totalChecks} checks passed` : ''}`
        : 'not checked to the end';
  return { label: `Attempt ${snapshot.number}`, description: verdict };
}

async function chooseSnapshot(lab: Lab, snapshots: readonly Snapshot[]): Promise<Snapshot | undefined> {
  const items = snapshots.map((snapshot) => ({
    ...describeSnapshot(snapshot),
    detail: `${new Date(snapshot.takenAt).toLocaleString()} · ${snapshot.files.join(', ')}`,
    snapshot,
  }));
  const chosen = await vscode.window.showQuickPick(items, { placeHolder: `Restore which attempt of "${lab.manifest.title}"? (newest first)`, matchOnDetail: true });
  if (!chosen) {
    return undefined;
  }
  const restore = 'Restore';
  const answer = await vscode.window.showWarningMessage(
    `Restore ${chosen.label} of "${lab.manifest.title}"?`,
    { modal: true, detail: 'Your current files are kept as a new attempt first, so you can come back to them.' },
    restore,
  );
  return answer === restore ? chosen.snapshot : undefined;
}

/** `attempt` picks the snapshot directly (no questions: the current files are kept anyway). */
async function restoreAttempt(deps: AttemptDeps, lab: Lab, attempt: number | undefined): Promise<Restored | undefined> {
  const { manifest } = lab;
  const labsFolder = deps.labs.labsFolder()?.path;
  const learnerDir = deps.labs.learnerDir(lab);
  if (!labsFolder || !learnerDir) {
    void vscode.window.showInformationMessage('Open the folder that holds your labs first.');
    return undefined;
  }
  if (deps.registry.active(manifest.id)) {
    void vscode.window.showInformationMessage(`"${manifest.title}" is running; restore an attempt once it has finished or been stopped.`);
    return undefined;
  }
  const snapshots = listSnapshots(labsFolder, manifest.id);
  if (snapshots.length === 0) {
    void vscode.window.showInformationMessage(`"${manifest.title}" has no earlier attempts yet: each Check keeps a copy of your files.`);
    return undefined;
  }
  const snapshot = attempt !== undefined ? snapshots.find((candidate) => candidate.number === attempt) : await chooseSnapshot(lab, snapshots);
  if (!snapshot) {
    if (attempt !== undefined) {
      void vscode.window.showErrorMessage(`"${manifest.title}" has no attempt ${attempt}.`);
    }
    return undefined;
  }
  // Unsaved edits go to disk first, so the "before" snapshot holds them and the editors reload cleanly.
  await saveLabDocuments(learnerDir);
  let result;
  try {
    result = restoreSnapshot(labsFolder, { labId: manifest.id, learnerDir, files: manifest.files }, snapshot);
  } catch (error) {
    const message = `Could not restore attempt ${snapshot.number} of "${manifest.title}": ${(error as Error).message}. Your current files are unchanged or kept as a snapshot.`;
    deps.output.line(message);
    void vscode.window.showErrorMessage(message);
    return undefined;
  }
  deps.output.line(`Restored attempt ${snapshot.number} of ${manifest.id}${result.saved ? `; your previous files are attempt ${result.saved.number}` : ''}`);
  deps.labs.notify();
  await vscode.window.showTextDocument(vscode.Uri.file(path.join(learnerDir, manifest.entry)), { preview: false });
  vscode.window.setStatusBarMessage(`Restored attempt ${snapshot.number}${result.saved ? ` (your previous files are attempt ${result.saved.number})` : ''}`, 8000);
  return { restored: snapshot.number, ...(result.saved ? { saved: result.saved.number } : {}) };
}

export function registerAttempts(context: vscode.ExtensionContext, deps: AttemptDeps): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(RESTORE_ATTEMPT_COMMAND, async (argument: LabArgument, attempt?: unknown) => {
      const lab = await pickLab(deps.labs, argument, 'Restore an attempt of which lab?', true);
      return lab ? restoreAttempt(deps, lab, typeof attempt === 'number' ? attempt : undefined) : undefined;
    }),
  );
}
