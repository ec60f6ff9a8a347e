/** Shared helpers of the extension-host suites. */
import * as vscode from 'vscode';
import type { ConcurrencyLabsApi } from '../../src/extension';

export const EXTENSION_ID = 'concurrencylabs.concurrency-labs';

export async function activateExtension(): Promise<{ extension: vscode.Extension<ConcurrencyLabsApi>; api: ConcurrencyLabsApi }> {
  const extension = vscode.extensions.getExtension<ConcurrencyLabsApi>(EXTENSION_ID);
  if (!extension) {
    throw new Error(`extension ${EXTENSION_ID} is not installed in this VS Code`);
  }
  const api = await extension.activate();
  return { extension, api };
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    throw new Error('the host tests need a workspace folder');
  }
  return folder.uri.fsPath;
}

export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
