/** Composition root: builds the shared services and registers one feature at a time. */
import * as vscode from 'vscode';
import { registerLabCommands } from './host/labs/registerLabCommands';
import { LabsTreeProvider } from './host/labs/labsTreeProvider';
import { LabService } from './host/labService';
import { Output } from './host/output';
import { registerPendingCommands } from './host/pendingCommands';

/** What activate returns: the services, for the extension-host tests and other extensions. */
export interface ConcurrencyLabsApi {
  readonly labs: LabService;
  readonly tree: LabsTreeProvider;
}

export function activate(context: vscode.ExtensionContext): ConcurrencyLabsApi {
  const output = new Output();
  const labs = new LabService(context.extensionPath, output);
  const tree = new LabsTreeProvider(labs);
  context.subscriptions.push(
    output,
    labs,
    tree,
    vscode.window.createTreeView('concurrencyLabs.labs', { treeDataProvider: tree, showCollapseAll: true }),
  );

  registerLabCommands(context, { labs, output });
  registerPendingCommands(context);
  return { labs, tree };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
