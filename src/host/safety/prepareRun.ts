/**
 * What must hold before any learner code runs (a Check or a Run with Timeline): a trusted folder, the
 * lab's folder and entry file in place, no other run of that lab, the learner's unsaved edits on disk,
 * and a usable Python. Each refusal is explained to the learner and returned, so commands and tests can
 * tell why nothing ran.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Lab, pythonTooOldFor } from '../../core/catalog';
import { Python } from '../../core/python';
import { listSnapshots } from '../../core/snapshots';
import { LabService } from '../labService';
import { Output } from '../output';
import { PythonResolver } from '../python/pythonResolver';
import { describeLabFolderProblem, labFolderProblem } from './labFolder';
import { ActiveRun, RunKind, RunRegistry, STOP_COMMAND } from './runRegistry';
import { refuseIfUntrusted } from './trust';

export const RESTORE_ATTEMPT_COMMAND = 'concurrencyLabs.restoreAttempt';

export type RefusalReason = 'untrusted' | 'noWorkspace' | 'notStarted' | 'folderMissing' | 'entryMissing' | 'busy' | 'noPython' | 'pythonTooOld';

export interface Refusal {
  readonly kind: 'refused';
  readonly reason: RefusalReason;
  readonly message: string;
}

export interface RunDeps {
  readonly labs: LabService;
  readonly python: PythonResolver;
  readonly registry: RunRegistry;
  readonly output: Output;
}

export interface PreparedRun {
  readonly kind: 'prepared';
  readonly lab: Lab;
  readonly labsFolder: string;
  readonly learnerDir: string;
  readonly python: Python;
  /** Registered in the registry: the caller ends it when the run is over. */
  readonly active: ActiveRun;
}

function offer(message: string, actions: Record<string, () => unknown>): void {
  void vscode.window.showErrorMessage(message, ...Object.keys(actions)).then((choice) => {
    if (choice) {
      actions[choice]();
    }
  });
}

/** Saves the lab's unsaved editors, so the run sees what the learner sees and nothing typed is lost. */
export async function saveLabDocuments(learnerDir: string): Promise<vscode.TextDocument[]> {
  const prefix = learnerDir + path.sep;
  const unsaved: vscode.TextDocument[] = [];
  for (const document of vscode.workspace.textDocuments) {
    if (document.isDirty && document.uri.scheme === 'file' && document.uri.fsPath.startsWith(prefix) && !(await document.save())) {
      unsaved.push(document);
    }
  }
  return unsaved;
}

export async function prepareRun(deps: RunDeps, lab: Lab, kind: RunKind): Promise<PreparedRun | Refusal> {
  const action = kind === 'check' ? 'Check Lab' : 'Run with Timeline';
  const title = lab.manifest.title;
  const untrusted = refuseIfUntrusted(action);
  if (untrusted) {
    return { kind: 'refused', reason: 'untrusted', message: untrusted };
  }

  const labsFolder = deps.labs.labsFolder()?.path;
  const learnerDir = deps.labs.learnerDir(lab);
  const wasStarted = deps.labs.progress()?.get(lab.manifest.id).started !== undefined;
  const problem = labFolderProblem(learnerDir, lab.manifest.entry, fs.existsSync, wasStarted);
  if (problem || !labsFolder || !learnerDir) {
    const found = problem ?? { kind: 'noWorkspace' as const };
    const hasSnapshots = labsFolder !== undefined && listSnapshots(labsFolder, lab.manifest.id).length > 0;
    const message = describeLabFolderProblem(found, title, hasSnapshots);
    deps.output.line(message);
    const actions: Record<string, () => unknown> =
      found.kind === 'noWorkspace' ? { 'Open Folder…': () => vscode.commands.executeCommand('vscode.openFolder') } : { 'Start Lab': () => vscode.commands.executeCommand('concurrencyLabs.startLab', lab.manifest.id) };
    if (hasSnapshots) {
      actions['Restore Attempt…'] = () => vscode.commands.executeCommand(RESTORE_ATTEMPT_COMMAND, lab.manifest.id);
    }
    offer(message, actions);
    deps.labs.notify();
    return { kind: 'refused', reason: found.kind, message };
  }

  const active = deps.registry.begin(lab.manifest.id, title, kind);
  if (!active) {
    const running = deps.registry.active(lab.manifest.id);
    const message = `"${title}" is already ${running?.kind === 'run' ? 'running with the timeline' : 'being checked'}. Wait for it to finish, or stop it first.`;
    offer(message, { Stop: () => vscode.commands.executeCommand(STOP_COMMAND, lab.manifest.id) });
    return { kind: 'refused', reason: 'busy', message };
  }

  try {
    const unsaved = await saveLabDocuments(learnerDir);
    for (const document of unsaved) {
      deps.output.line(`${document.uri.fsPath} could not be saved; the ${kind === 'check' ? 'Check' : 'run'} uses the version on disk.`);
    }
    const { python, problem: pythonProblem } = await deps.python.ensure(vscode.Uri.file(learnerDir));
    if (!python) {
      deps.registry.end(active);
      return { kind: 'refused', reason: 'noPython', message: pythonProblem ?? 'no Python' };
    }
    const tooOld = pythonTooOldFor(lab, python.version);
    if (tooOld) {
      deps.registry.end(active);
      const message =
        `"${title}" ${tooOld} (${python.executable}, ${python.source}). Install Python ${lab.manifest.minPython} or newer, then select it in ` +
        `the Python extension or set concurrencyLabs.pythonPath to it. Your files are untouched.`;
      deps.output.line(message);
      offer(message, { 'Open Setting': () => vscode.commands.executeCommand('workbench.action.openSettings', 'concurrencyLabs.pythonPath') });
      return { kind: 'refused', reason: 'pythonTooOld', message };
    }
    return { kind: 'prepared', lab, labsFolder, learnerDir, python, active };
  } catch (error) {
    deps.registry.end(active);
    throw error;
  }
}
