/**
 * Commands contributed before their feature is built. Each says so plainly instead of pretending to work;
 * a feature replaces its entry here by registering the command itself.
 */
import * as vscode from 'vscode';

const PENDING: Record<string, string> = {
  'concurrencyLabs.showTimeline': 'Show Timeline',
};

export function registerPendingCommands(context: vscode.ExtensionContext): void {
  for (const [command, feature] of Object.entries(PENDING)) {
    context.subscriptions.push(
      vscode.commands.registerCommand(command, () =>
        vscode.window.showInformationMessage(`${feature} is not available in this version of Concurrency Labs yet.`),
      ),
    );
  }
}
