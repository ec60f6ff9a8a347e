/** Composition root: builds the shared services and registers one feature at a time. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerAttempts } from './host/attempts/registerAttempts';
import { CheckService } from './host/check/checkService';
import { registerCheck } from './host/check/registerCheck';
import { registerHints } from './host/hints/registerHints';
import { registerLabCommands } from './host/labs/registerLabCommands';
import { LabsTreeProvider } from './host/labs/labsTreeProvider';
import { LabService } from './host/labService';
import { Output } from './host/output';
import { registerPendingCommands } from './host/pendingCommands';
import { PythonResolver } from './host/python/pythonResolver';
import { ShowTrace } from './host/run/labTraces';
import { registerRunWithTimeline } from './host/run/registerRunWithTimeline';
import { RunRegistry } from './host/safety/runRegistry';

/** What activate returns: the services, for the extension-host tests and other extensions. */
export interface ConcurrencyLabsApi {
  readonly labs: LabService;
  readonly tree: LabsTreeProvider;
  readonly checks: CheckService;
  readonly python: PythonResolver;
  readonly runs: RunRegistry;
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

  const python = new PythonResolver(output);
  // Disposed on deactivation: every run still in flight is stopped with its whole process tree.
  const runs = new RunRegistry();
  context.subscriptions.push(python, runs);
  const traceDir = path.join((context.storageUri ?? context.globalStorageUri).fsPath, 'traces');
  const showTrace: ShowTrace | undefined = undefined;
  const runDeps = { labs, output, python, registry: runs, traceDir, showTrace };
  const checks = registerCheck(context, runDeps);
  registerHints(context, { labs, latestResults: (labId) => checks.results(labId) });
  registerAttempts(context, { labs, registry: runs, output });
  registerRunWithTimeline(context, runDeps);

  registerPendingCommands(context);
  return { labs, tree, checks, python, runs };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
