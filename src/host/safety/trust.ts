/** Workspace Trust: in Restricted Mode labs can be browsed and started, but no learner code runs. */
import * as vscode from 'vscode';

export const MANAGE_TRUST = 'Manage Workspace Trust';

export function untrustedMessage(action: string): string {
  return (
    `${action} runs the Python code in this folder, and VS Code is in Restricted Mode because the folder is not trusted. ` +
    'You can still read and start labs. To check your code, trust the folder: Manage Workspace Trust → Trust.'
  );
}

/** True (after saying why, with a button to trust the folder) when learner code must not run. */
export function refuseIfUntrusted(action: string): string | undefined {
  if (vscode.workspace.isTrusted) {
    return undefined;
  }
  const message = untrustedMessage(action);
  void vscode.window.showWarningMessage(message, MANAGE_TRUST).then((choice) => {
    if (choice === MANAGE_TRUST) {
      void vscode.commands.executeCommand('workbench.trust.manage');
    }
  });
  return message;
}
