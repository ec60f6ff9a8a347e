/** Check Lab (tree, editor title, palette), Stop, and the optional Check on save. */
import * as vscode from 'vscode';
import { Lab } from '../../core/catalog';
import { LabArgument, labOfUri, pickLab } from '../labs/pickLab';
import { STOP_COMMAND } from '../safety/runRegistry';
import { CheckDiagnostics } from './checkDiagnostics';
import { CheckDeps, CheckService } from './checkService';

export const CHECK_COMMAND = 'concurrencyLabs.checkLab';
/** Saves that arrive together (Save All) make one Check. */
const SAVE_DEBOUNCE_MS = 400;

export type CheckFeatureDeps = Omit<CheckDeps, 'diagnostics'>;

function registerCheckOnSave(service: CheckService, deps: CheckFeatureDeps): vscode.Disposable {
  const pending = new Map<string, NodeJS.Timeout>();
  let toldUntrusted = false;
  const schedule = (lab: Lab): void => {
    clearTimeout(pending.get(lab.manifest.id));
    pending.set(
      lab.manifest.id,
      setTimeout(() => {
        pending.delete(lab.manifest.id);
        // A save made by a running Check (it saves the lab's editors first) must not start another.
        if (!deps.registry.active(lab.manifest.id)) {
          void service.check(lab, { trigger: 'save' });
        }
      }, SAVE_DEBOUNCE_MS),
    );
  };
  const listener = vscode.workspace.onDidSaveTextDocument((document) => {
    if (!vscode.workspace.getConfiguration('concurrencyLabs').get<boolean>('checkOnSave', false)) {
      return;
    }
    const lab = labOfUri(deps.labs, document.uri);
    if (!lab || deps.registry.active(lab.manifest.id)) {
      return;
    }
    if (!vscode.workspace.isTrusted) {
      // Explained once per session rather than on every save.
      if (!toldUntrusted) {
        toldUntrusted = true;
        void service.check(lab, { trigger: 'save' });
      }
      return;
    }
    schedule(lab);
  });
  return new vscode.Disposable(() => {
    listener.dispose();
    for (const timer of pending.values()) {
      clearTimeout(timer);
    }
  });
}

export function registerCheck(context: vscode.ExtensionContext, deps: CheckFeatureDeps): CheckService {
  const diagnostics = new CheckDiagnostics();
  const service = new CheckService({ ...deps, diagnostics });
  context.subscriptions.push(
    diagnostics,
    service,
    vscode.commands.registerCommand(CHECK_COMMAND, async (argument: LabArgument) => {
      const lab = await pickLab(deps.labs, argument, 'Check which lab?', true);
      return lab ? service.check(lab, { trigger: 'command' }) : undefined;
    }),
    vscode.commands.registerCommand(STOP_COMMAND, (labId?: unknown) => {
      const stopped = deps.registry.stop(typeof labId === 'string' ? labId : undefined);
      if (stopped === 0) {
        void vscode.window.showInformationMessage('Nothing of Concurrency Labs is running.');
      }
      return stopped;
    }),
    registerCheckOnSave(service, deps),
  );
  return service;
}
