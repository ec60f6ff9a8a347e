/**
 * Squiggles on the lines where checks failed. Each Check replaces its lab's diagnostics (so a check that
 * now passes loses its squiggle), and editing a file clears that file's, since the lines they point at
 * may have moved.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { DiagnosticSpec, Spot, lineColumns } from './checkReport';

export const DIAGNOSTIC_SOURCE = 'Concurrency Labs';

/** The text of a line, from the open document if there is one (it is what the learner sees), else disk. */
function lineText(file: string, line: number): string | undefined {
  const open = vscode.workspace.textDocuments.find((document) => document.uri.scheme === 'file' && document.uri.fsPath === file);
  if (open) {
    return line <= open.lineCount ? open.lineAt(line - 1).text : undefined;
  }
  try {
    return fs.readFileSync(file, 'utf8').split(/\r?\n/)[line - 1];
  } catch {
    return undefined;
  }
}

export function rangeOf(spot: Spot): vscode.Range {
  const columns = lineColumns(lineText(spot.file, spot.line));
  const line = Math.max(0, spot.line - 1);
  return new vscode.Range(line, columns.start, line, columns.end);
}

export function locationOf(spot: Spot): vscode.Location {
  return new vscode.Location(vscode.Uri.file(spot.file), rangeOf(spot));
}

export class CheckDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('concurrencyLabs');
  /** The files each lab has diagnostics in. */
  private readonly filesByLab = new Map<string, Set<string>>();
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.contentChanges.length > 0 && this.collection.has(event.document.uri)) {
        this.collection.delete(event.document.uri);
      }
    });
  }

  /** Replaces a lab's diagnostics with those of its latest Check. */
  show(labId: string, specs: readonly DiagnosticSpec[]): void {
    this.clear(labId);
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const spec of specs) {
      const diagnostic = new vscode.Diagnostic(rangeOf(spec.spot), spec.text, vscode.DiagnosticSeverity.Error);
      diagnostic.source = DIAGNOSTIC_SOURCE;
      diagnostic.code = spec.checkIds.join(', ');
      if (spec.related.length > 0) {
        diagnostic.relatedInformation = spec.related.map((item) => new vscode.DiagnosticRelatedInformation(locationOf(item.spot), item.text));
      }
      byFile.set(spec.spot.file, [...(byFile.get(spec.spot.file) ?? []), diagnostic]);
    }
    for (const [file, diagnostics] of byFile) {
      this.collection.set(vscode.Uri.file(file), diagnostics);
    }
    this.filesByLab.set(labId, new Set(byFile.keys()));
  }

  clear(labId: string): void {
    for (const file of this.filesByLab.get(labId) ?? []) {
      this.collection.delete(vscode.Uri.file(file));
    }
    this.filesByLab.delete(labId);
  }

  get(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }

  dispose(): void {
    this.subscription.dispose();
    this.collection.dispose();
  }
}
