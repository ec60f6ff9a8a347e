/** Composition root: builds the shared services and registers one feature at a time. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerAttempts } from './host/attempts/registerAttempts';
import { CheckService } from './host/check/checkService';
import { registerCheck } from './host/check/registerCheck';
import { registerHints } from './host/hints/registerHints';
import { registerLabCommands } from './host/labs/registerLabCommands';
import { LabArgument, pickLab } from './host/labs/pickLab';
import { LabsTreeProvider } from './host/labs/labsTreeProvider';
import { LabService } from './host/labService';
import { Output } from './host/output';
import { PythonResolver } from './host/python/pythonResolver';
import { ShowTrace, TRACES_FOLDER, latestTracePath } from './host/run/labTraces';
import { registerRunWithTimeline } from './host/run/registerRunWithTimeline';
import { RunRegistry } from './host/safety/runRegistry';
import { shareLabkitWithTerminals } from './host/terminalEnvironment';
import { TimelineApi, registerTimeline } from './host/timeline/registerTimeline';

/** What activate returns: the services, for the extension-host tests and other extensions. */
export interface ConcurrencyLabsApi {
  readonly labs: LabService;
  readonly tree: LabsTreeProvider;
  readonly checks: CheckService;
  readonly python: PythonResolver;
  readonly runs: RunRegistry;
  readonly timeline: TimelineApi;
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
  shareLabkitWithTerminals(context, labs.labsRoot);

  const python = new PythonResolver(output);
  // Disposed on deactivation: every run still in flight is stopped with its whole process tree.
  const runs = new RunRegistry();
  context.subscriptions.push(python, runs);
  // Beside the learner's labs (like .snapshots), so a run's timeline is still there in a new window; the
  // extension's storage only while no folder is open.
  const traceDir = (): string => {
    const labsFolder = labs.labsFolder()?.path;
    return labsFolder ? path.join(labsFolder, TRACES_FOLDER) : path.join((context.storageUri ?? context.globalStorageUri).fsPath, 'traces');
  };
  const timeline = registerTimeline(context, {
    latestTrace: async (argument) => {
      const lab = await pickLab(labs, argument as LabArgument, 'Show the timeline of which lab?', true);
      const file = lab ? latestTracePath(traceDir(), lab.manifest.id) : undefined;
      return lab && file ? { path: file, label: lab.manifest.title, sourceRoot: labs.learnerDir(lab) } : undefined;
    },
    log: (message) => output.line(message),
  });
  const showTrace: ShowTrace = (lab, tracePath) =>
    timeline.show({ path: tracePath, label: `${lab.manifest.title} · ${new Date().toLocaleTimeString()}`, sourceRoot: labs.learnerDir(lab) });
  const runDeps = { labs, output, python, registry: runs, traceDir, showTrace };
  const checks = registerCheck(context, runDeps);
  registerHints(context, { labs, latestResults: (labId) => checks.results(labId) });
  registerAttempts(context, { labs, registry: runs, output });
  registerRunWithTimeline(context, runDeps);

  return { labs, tree, checks, python, runs, timeline };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
