/**
 * Show Hint (the next rung of the lab's hint ladder, or the one the last failure named; hints already seen
 * stay readable in one document) and Show Solution (the reference solution as a diff against the
 * learner's file, once it is unlocked).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Lab } from '../../core/catalog';
import { CheckResult } from '../../core/results';
import { LabService } from '../labService';
import { LabArgument, pickLab } from '../labs/pickLab';
import { HintStep, asPlainText, hintLabel, planHint, solutionState } from './hintLadder';

export const SHOW_HINT_COMMAND = 'concurrencyLabs.showHint';
export const SHOW_SOLUTION_COMMAND = 'concurrencyLabs.showSolution';
/** Read-only documents of the labs: `/hints/<lab>.md` and `/solution/<lab>/<file>`. */
export const LAB_DOCUMENT_SCHEME = 'concurrency-labs';

export interface HintDeps {
  readonly labs: LabService;
  /** The latest results of a lab's checks, to find the hint its failure named. */
  readonly latestResults: (labId: string) => readonly CheckResult[] | undefined;
}

export interface HintShown extends HintStep {
  readonly total: number;
  readonly text: string;
}

export type SolutionOutcome = { readonly unlocked: false; readonly explanation: string } | { readonly unlocked: true; readonly file: string };

export function hintsUri(labId: string): vscode.Uri {
  return vscode.Uri.from({ scheme: LAB_DOCUMENT_SCHEME, path: `/hints/${labId}.md` });
}

function solutionUri(labId: string, file: string): vscode.Uri {
  return vscode.Uri.from({ scheme: LAB_DOCUMENT_SCHEME, path: `/solution/${labId}/${file}` });
}

class LabDocuments implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly labs: LabService) {}

  refresh(uri: vscode.Uri): void {
    this.changed.fire(uri);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const [, kind, labId, ...rest] = uri.path.split('/');
    if (kind === 'hints') {
      const lab = this.labs.lab(labId.replace(/\.md$/, ''));
      return lab ? this.hintsText(lab) : 'This lab no longer exists.';
    }
    const lab = this.labs.lab(labId);
    const file = rest.join('/');
    // Only files the manifest names are served: the path never leaves the lab's solution folder.
    if (kind === 'solution' && lab && lab.manifest.files.includes(file)) {
      return fs.readFileSync(path.join(lab.dir, 'solution', file), 'utf8');
    }
    return 'Not a file of Concurrency Labs.';
  }

  private hintsText(lab: Lab): string {
    const { hints, title } = lab.manifest;
    const seen = this.labs.progress()?.get(lab.manifest.id).hintsSeen ?? 0;
    const lines = [`# Hints: ${title}`, ''];
    for (const [index, hint] of hints.slice(0, seen).entries()) {
      lines.push(`## ${hintLabel(index + 1, hints.length)}`, '', hint, '');
    }
    const left = hints.length - seen;
    lines.push(left > 0 ? `${left} more hint(s): run **Show Hint** to reveal the next one.` : 'That is every hint of this lab.');
    return lines.join('\n') + '\n';
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * The hint the latest failure named: the first failed or timed-out check's. An error (a syntax error, a
 * checker crash) is not what any hint is about.
 */
function suggestedHint(results: readonly CheckResult[] | undefined): number | null {
  return results?.find((result) => (result.status === 'failed' || result.status === 'timedOut') && result.hint)?.hint ?? null;
}

async function openHints(documents: LabDocuments, lab: Lab): Promise<void> {
  const uri = hintsUri(lab.manifest.id);
  documents.refresh(uri);
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.languages.setTextDocumentLanguage(document, 'markdown');
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
}

function showHint(deps: HintDeps, documents: LabDocuments, lab: Lab): HintShown | undefined {
  const { hints, id, title } = lab.manifest;
  const progress = deps.labs.progress();
  const step = planHint(progress?.get(id).hintsSeen ?? 0, hints.length, suggestedHint(deps.latestResults(id)));
  if (!step) {
    void vscode.window.showInformationMessage(`"${title}" has no hints.`);
    return undefined;
  }
  progress?.markHintsSeen(id, step.seenAfter, hints.length);
  deps.labs.notify();
  documents.refresh(hintsUri(id));
  const text = hints[step.number - 1];
  const why = step.reason === 'fitsFailure' ? ' (it fits your last failure)' : step.reason === 'allSeen' ? ' (you have seen every hint)' : '';
  const next = 'Next Hint';
  const all = 'All Hints';
  const actions = [...(step.seenAfter < hints.length ? [next] : []), ...(step.seenAfter > 1 ? [all] : [])];
  void vscode.window.showInformationMessage(`${hintLabel(step.number, hints.length)}${why} — ${title}: ${asPlainText(text)}`, ...actions).then((choice) => {
    if (choice === next) {
      void vscode.commands.executeCommand(SHOW_HINT_COMMAND, id);
    } else if (choice === all) {
      void openHints(documents, lab);
    }
  });
  return { ...step, total: hints.length, text };
}

async function showSolution(deps: HintDeps, lab: Lab): Promise<SolutionOutcome | undefined> {
  const { manifest } = lab;
  const progress = deps.labs.progress()?.get(manifest.id);
  const threshold = vscode.workspace.getConfiguration('concurrencyLabs').get<number>('solutionAfterFailedChecks', 5);
  const state = solutionState(progress?.passed !== undefined, progress?.failedAttempts ?? 0, threshold);
  if (!state.unlocked) {
    const hint = 'Show Hint';
    void vscode.window.showInformationMessage(state.explanation, hint).then((choice) => {
      if (choice === hint) {
        void vscode.commands.executeCommand(SHOW_HINT_COMMAND, manifest.id);
      }
    });
    return { unlocked: false, explanation: state.explanation };
  }
  const available = [manifest.entry, ...manifest.files.filter((file) => file !== manifest.entry)].filter((file) => fs.existsSync(path.join(lab.dir, 'solution', file)));
  if (available.length === 0) {
    void vscode.window.showInformationMessage(`"${manifest.title}" has no reference solution to show.`);
    return undefined;
  }
  const file = available.length === 1 ? available[0] : await vscode.window.showQuickPick(available, { placeHolder: 'Compare which file with the reference solution?' });
  if (!file) {
    return undefined;
  }
  const learnerDir = deps.labs.learnerDir(lab);
  const mine = learnerDir ? path.join(learnerDir, file) : undefined;
  if (mine && fs.existsSync(mine)) {
    await vscode.commands.executeCommand('vscode.diff', solutionUri(manifest.id, file), vscode.Uri.file(mine), `${file}: reference solution ↔ yours`, { preview: false });
  } else {
    await vscode.window.showTextDocument(solutionUri(manifest.id, file), { preview: false });
  }
  return { unlocked: true, file };
}

export function registerHints(context: vscode.ExtensionContext, deps: HintDeps): void {
  const documents = new LabDocuments(deps.labs);
  context.subscriptions.push(
    documents,
    vscode.workspace.registerTextDocumentContentProvider(LAB_DOCUMENT_SCHEME, documents),
    vscode.commands.registerCommand(SHOW_HINT_COMMAND, async (argument: LabArgument) => {
      const lab = await pickLab(deps.labs, argument, 'A hint for which lab?');
      return lab ? showHint(deps, documents, lab) : undefined;
    }),
    vscode.commands.registerCommand(SHOW_SOLUTION_COMMAND, async (argument: LabArgument) => {
      const lab = await pickLab(deps.labs, argument, 'The reference solution of which lab?', true);
      return lab ? showSolution(deps, lab) : undefined;
    }),
  );
}
