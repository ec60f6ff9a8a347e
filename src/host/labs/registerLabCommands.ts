/** Start Lab, Reset Lab, Show Instructions, Refresh and Show Output. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Lab } from '../../core/catalog';
import { INSTRUCTIONS_FILE, applyReset, applyStart, nodeExists, planReset, planStart } from '../../core/scaffold';
import { LabService } from '../labService';
import { Output } from '../output';
import { LabArgument, pickLab } from './pickLab';

export interface LabCommandDeps {
  readonly labs: LabService;
  readonly output: Output;
}

/** Where a started lab's files go; with no folder open, offers to open one. */
async function requireLabsFolder(labs: LabService): Promise<string | undefined> {
  const folder = labs.labsFolder();
  if (!folder) {
    const open = 'Open Folder…';
    const answer = await vscode.window.showInformationMessage(
      'Concurrency Labs copies each lab into your workspace. Open a folder to hold your labs first.',
      open,
    );
    if (answer === open) {
      await vscode.commands.executeCommand('vscode.openFolder');
    }
    return undefined;
  }
  if (folder.warning) {
    void vscode.window.showWarningMessage(folder.warning);
  }
  return folder.path;
}

export async function openInstructions(lab: Lab, learnerDir: string | undefined): Promise<void> {
  const inWorkspace = learnerDir ? path.join(learnerDir, INSTRUCTIONS_FILE) : undefined;
  const file = inWorkspace && fs.existsSync(inWorkspace) ? inWorkspace : path.join(lab.dir, INSTRUCTIONS_FILE);
  await vscode.commands.executeCommand('markdown.showPreviewToSide', vscode.Uri.file(file));
}

export async function startLab(deps: LabCommandDeps, lab: Lab): Promise<vscode.TextEditor | undefined> {
  const labsFolder = await requireLabsFolder(deps.labs);
  if (!labsFolder) {
    return undefined;
  }
  const plan = planStart(lab, labsFolder, nodeExists);
  try {
    applyStart(plan);
  } catch (error) {
    const message = `Could not start "${lab.manifest.title}" in ${plan.labDir}: ${(error as Error).message}. Nothing of yours was changed.`;
    deps.output.line(message);
    void vscode.window.showErrorMessage(message);
    return undefined;
  }
  deps.output.line(
    plan.alreadyStarted
      ? `Opened ${lab.manifest.id} (already started; kept ${plan.kept.length} file(s), restored ${plan.copies.length} missing)`
      : `Started ${lab.manifest.id} in ${plan.labDir}`,
  );
  deps.labs.progress()?.markStarted(lab.manifest.id);
  deps.labs.notify();
  const editor = await vscode.window.showTextDocument(vscode.Uri.file(plan.entryFile), { viewColumn: vscode.ViewColumn.One, preview: false });
  await openInstructions(lab, plan.labDir);
  return editor;
}

async function resetLab(deps: LabCommandDeps, lab: Lab): Promise<void> {
  const labsFolder = await requireLabsFolder(deps.labs);
  if (!labsFolder) {
    return;
  }
  const plan = planReset(lab, labsFolder, nodeExists);
  const reset = 'Reset';
  const answer = await vscode.window.showWarningMessage(
    `Reset "${lab.manifest.title}" to its starter files?`,
    { modal: true, detail: `Your current files are copied to ${path.relative(labsFolder, plan.backupDir)} first, so nothing is lost.` },
    reset,
  );
  if (answer !== reset) {
    return;
  }
  // Unsaved edits would otherwise be lost or later overwrite the restored files: save them into the backup.
  const dirty = vscode.workspace.textDocuments.filter((document) => document.isDirty && document.uri.fsPath.startsWith(plan.labDir + path.sep));
  for (const document of dirty) {
    await document.save();
  }
  try {
    applyReset(plan);
  } catch (error) {
    const message = `Could not reset "${lab.manifest.title}": ${(error as Error).message}. Your files are unchanged or backed up in ${plan.backupDir}.`;
    deps.output.line(message);
    void vscode.window.showErrorMessage(message);
    return;
  }
  deps.labs.progress()?.update(lab.manifest.id, (current) => ({ ...current, lastStatus: undefined }));
  deps.labs.notify();
  deps.output.line(`Reset ${lab.manifest.id}; backup in ${plan.backupDir}`);
  await vscode.window.showTextDocument(vscode.Uri.file(path.join(plan.labDir, lab.manifest.entry)), { preview: false });
  // The files were restored behind VS Code's back and its file watcher can miss that (the E2E run saw the
  // old text stay on screen in code-server); reverting the entry file reloads it from disk.
  await vscode.commands.executeCommand('workbench.action.files.revert');
  const reveal = 'Reveal Backup';
  // Not awaited: the command is done once the files are restored; the note stays until dismissed.
  void vscode.window.showInformationMessage(`"${lab.manifest.title}" was reset. Your previous files are in ${plan.backupDir}.`, reveal).then((choice) => {
    if (choice === reveal) {
      void vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(plan.backupDir));
    }
  });
}

export function registerLabCommands(context: vscode.ExtensionContext, deps: LabCommandDeps): void {
  const { labs } = deps;
  context.subscriptions.push(
    vscode.commands.registerCommand('concurrencyLabs.startLab', async (argument: LabArgument) => {
      const lab = await pickLab(labs, argument, 'Start which lab?');
      return lab ? startLab(deps, lab) : undefined;
    }),
    vscode.commands.registerCommand('concurrencyLabs.resetLab', async (argument: LabArgument) => {
      const lab = await pickLab(labs, argument, 'Reset which lab?', true);
      return lab ? resetLab(deps, lab) : undefined;
    }),
    vscode.commands.registerCommand('concurrencyLabs.showInstructions', async (argument: LabArgument) => {
      const lab = await pickLab(labs, argument, 'Instructions of which lab?');
      return lab ? openInstructions(lab, labs.learnerDir(lab)) : undefined;
    }),
    vscode.commands.registerCommand('concurrencyLabs.refreshLabs', () => labs.refresh()),
    vscode.commands.registerCommand('concurrencyLabs.showOutput', () => deps.output.channel.show()),
  );
}
