/**
 * The lab instructions run labkit's own tools in a terminal (`python -m labkit.flagserver`, `python -m
 * labkit.showdis counter.py worker`). labkit ships inside the extension, beside the labs, so every terminal
 * VS Code opens gets that folder on PYTHONPATH; without it those commands fail with "No module named labkit".
 */
import * as path from 'node:path';
import * as vscode from 'vscode';

export function shareLabkitWithTerminals(context: vscode.ExtensionContext, labsRoot: string): void {
  const collection = context.environmentVariableCollection;
  collection.description = 'Lets the `python -m labkit…` commands of the Concurrency Labs instructions run in this terminal.';
  collection.prepend('PYTHONPATH', labsRoot + path.delimiter);
}
