/**
 * The extension's view of labs: the catalog shipped in `labs/`, the learner's workspace folder and the
 * progress store. The tree, Check and the timeline all read from here; `onDidChange` tells them to redraw.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Catalog, Lab, describeProblem, findLab, loadCatalog } from '../core/catalog';
import { LabStatus, ProgressStore, statusOf } from '../core/progress';
import { LabsFolder, resolveLabsFolder } from '../core/workspace';
import { Output } from './output';

export class LabService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private catalogValue: Catalog;
  private store: { folder: string; progress: ProgressStore } | undefined;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    readonly extensionPath: string,
    private readonly output: Output,
  ) {
    this.catalogValue = this.readCatalog();
    this.disposables.push(
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.refresh()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('concurrencyLabs.labsFolder')) {
          this.refresh();
        }
      }),
    );
  }

  get labsRoot(): string {
    return path.join(this.extensionPath, 'labs');
  }

  get catalog(): Catalog {
    return this.catalogValue;
  }

  private readCatalog(): Catalog {
    const catalog = loadCatalog(this.labsRoot);
    for (const problem of catalog.problems) {
      this.output.line(`Lab skipped: ${describeProblem(problem)}`);
    }
    return catalog;
  }

  refresh(): void {
    this.catalogValue = this.readCatalog();
    this.store = undefined;
    this.changed.fire();
  }

  /** Something about a lab changed (started, checked, reset): redraw. */
  notify(): void {
    this.changed.fire();
  }

  lab(id: string): Lab | undefined {
    return findLab(this.catalogValue, id);
  }

  workspaceRoot(): string | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
  }

  labsFolder(): LabsFolder | undefined {
    const root = this.workspaceRoot();
    if (!root) {
      return undefined;
    }
    const configured = vscode.workspace.getConfiguration('concurrencyLabs').get<string>('labsFolder');
    return resolveLabsFolder(root, configured);
  }

  progress(): ProgressStore | undefined {
    const folder = this.labsFolder();
    if (!folder) {
      return undefined;
    }
    if (this.store?.folder !== folder.path) {
      const progress = new ProgressStore(folder.path);
      if (progress.warning) {
        this.output.line(progress.warning);
        void vscode.window.showWarningMessage(progress.warning);
      }
      this.store = { folder: folder.path, progress };
    }
    return this.store.progress;
  }

  learnerDir(lab: Lab): string | undefined {
    const folder = this.labsFolder();
    return folder ? path.join(folder.path, lab.manifest.id) : undefined;
  }

  status(lab: Lab): LabStatus {
    const dir = this.learnerDir(lab);
    const exists = dir !== undefined && fs.existsSync(dir);
    return statusOf(this.progress()?.get(lab.manifest.id), exists);
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
  }
}
