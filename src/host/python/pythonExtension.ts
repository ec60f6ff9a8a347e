/**
 * The interpreter the learner selected in the Python extension (`ms-python.python`), through its public
 * API. The extension is optional (code-server and VSCodium often lack it), so every call tolerates its
 * absence and its failures, and answers undefined.
 */
import * as vscode from 'vscode';

export const PYTHON_EXTENSION_ID = 'ms-python.python';

interface EnvironmentPath {
  readonly id: string;
  readonly path: string;
}

/** The part of the Python extension's API used here (its `environments` API, stable since 2023). */
interface PythonExtensionApi {
  readonly environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): EnvironmentPath;
    resolveEnvironment(environment: EnvironmentPath | string): Promise<{ readonly executable: { readonly uri?: vscode.Uri } } | undefined>;
    readonly onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
}

async function api(): Promise<PythonExtensionApi | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
  if (!extension) {
    return undefined;
  }
  try {
    return extension.isActive ? extension.exports : await extension.activate();
  } catch {
    return undefined;
  }
}

/** The selected interpreter's executable for a resource, or undefined (no extension, nothing selected). */
export async function selectedInterpreter(resource: vscode.Uri | undefined): Promise<string | undefined> {
  const environments = (await api())?.environments;
  if (!environments) {
    return undefined;
  }
  try {
    const active = environments.getActiveEnvironmentPath(resource);
    const resolved = await environments.resolveEnvironment(active);
    return resolved?.executable.uri?.fsPath ?? (active.path || undefined);
  } catch {
    return undefined;
  }
}

/** Calls back when the learner selects another interpreter; a no-op without the extension. */
export async function onDidChangeSelection(listener: () => void): Promise<vscode.Disposable> {
  const event = (await api())?.environments?.onDidChangeActiveEnvironmentPath;
  return event ? event(listener) : new vscode.Disposable(() => undefined);
}
