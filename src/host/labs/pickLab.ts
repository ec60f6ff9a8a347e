/** Turns a command's argument (a tree node, a lab id, a file URI, or nothing) into a lab. */
import * as vscode from 'vscode';
import { Lab } from '../../core/catalog';
import { partLabel, PARTS } from '../../core/parts';
import { labIdForFile } from '../../core/workspace';
import { LabService } from '../labService';
import { LabsNode } from './labsTreeProvider';

export type LabArgument = LabsNode | string | vscode.Uri | undefined;

/**
 * The lab the learner is looking at: the active editor's, or else the one lab among the visible editors
 * (the instructions preview beside the file takes the focus but is not a text editor).
 */
export function labOfActiveEditor(labs: LabService): Lab | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  const fromActive = active ? labOfUri(labs, active) : undefined;
  if (fromActive) {
    return fromActive;
  }
  const visible = new Set(vscode.window.visibleTextEditors.flatMap((editor) => labOfUri(labs, editor.document.uri) ?? []));
  return visible.size === 1 ? [...visible][0] : undefined;
}

export function labOfUri(labs: LabService, uri: vscode.Uri): Lab | undefined {
  const folder = labs.labsFolder();
  if (!folder || uri.scheme !== 'file') {
    return undefined;
  }
  const id = labIdForFile(folder.path, uri.fsPath);
  return id ? labs.lab(id) : undefined;
}

export async function pickLab(labs: LabService, argument: LabArgument, placeHolder: string, onlyStarted = false): Promise<Lab | undefined> {
  if (typeof argument === 'string') {
    const lab = labs.lab(argument);
    if (!lab) {
      void vscode.window.showErrorMessage(`There is no lab "${argument}". Pick one in the Labs view.`);
    }
    return lab;
  }
  if (argument instanceof vscode.Uri) {
    return labOfUri(labs, argument) ?? pickLab(labs, undefined, placeHolder, onlyStarted);
  }
  if (argument?.kind === 'lab') {
    return argument.lab;
  }
  const fromEditor = labOfActiveEditor(labs);
  if (fromEditor) {
    return fromEditor;
  }
  const candidates = labs.catalog.labs.filter((lab) => !onlyStarted || labs.status(lab) !== 'notStarted');
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(onlyStarted ? 'No lab is started yet. Start one from the Labs view.' : 'No labs are available.');
    return undefined;
  }
  const items = candidates.map((lab) => ({
    label: lab.manifest.title,
    description: partLabel(PARTS[lab.manifest.part - 1]),
    detail: lab.manifest.description,
    lab,
  }));
  const chosen = await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true, matchOnDetail: true });
  return chosen?.lab;
}
