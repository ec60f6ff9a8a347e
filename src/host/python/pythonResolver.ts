/**
 * The Python that runs the labs, resolved once and cached: the setting `concurrencyLabs.pythonPath` when
 * set (an explicit choice for the labs), else the interpreter selected in the Python extension, else
 * `python3` / `python` / `py -3` from PATH (core/python.ts). Re-resolved when the setting or the selection
 * changes. A missing or too-old Python gets one clear message with a button to the setting.
 */
import * as vscode from 'vscode';
import { Candidate, Python, PythonProblem, defaultCandidates, findPython, versionText } from '../../core/python';
import { Output } from '../output';
import { onDidChangeSelection, selectedInterpreter } from './pythonExtension';

export const PYTHON_PATH_SETTING = 'concurrencyLabs.pythonPath';
const SELECTED_SOURCE = 'the interpreter selected in the Python extension';

export class PythonResolver implements vscode.Disposable {
  private cached: Promise<Python> | undefined;
  private selectionWatch: Promise<vscode.Disposable> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly output: Output) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(PYTHON_PATH_SETTING)) {
          this.invalidate('the setting concurrencyLabs.pythonPath changed');
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.invalidate('the folder is now trusted')),
      vscode.extensions.onDidChange(() => this.invalidate('extensions changed')),
    );
  }

  invalidate(why: string): void {
    if (this.cached) {
      this.output.line(`Python will be looked up again: ${why}.`);
    }
    this.cached = undefined;
  }

  private async candidates(resource: vscode.Uri | undefined): Promise<{ candidates: Candidate[]; explicitCount: number }> {
    // In Restricted Mode a workspace's own value is ignored (restrictedConfigurations), so a cloned
    // folder cannot choose which program runs.
    const configured = vscode.workspace.getConfiguration('concurrencyLabs', resource).get<string>('pythonPath')?.trim();
    const explicit: Candidate[] = configured ? [{ command: configured, args: [], source: `the setting ${PYTHON_PATH_SETTING} ("${configured}")` }] : [];
    const selected = await selectedInterpreter(resource);
    const fromExtension: Candidate[] = selected ? [{ command: selected, args: [], source: SELECTED_SOURCE }] : [];
    return { candidates: defaultCandidates([...explicit, ...fromExtension]), explicitCount: explicit.length };
  }

  /** The cached interpreter, or a fresh lookup. Rejects with a PythonProblem. */
  resolve(resource?: vscode.Uri): Promise<Python> {
    if (!this.selectionWatch) {
      // Subscribed on first use, so activating the labs never activates the Python extension early.
      this.selectionWatch = onDidChangeSelection(() => this.invalidate('another interpreter was selected in the Python extension'));
      void this.selectionWatch.then((disposable) => this.disposables.push(disposable));
    }
    if (!this.cached) {
      const lookup = this.candidates(resource).then(({ candidates, explicitCount }) => findPython(candidates, explicitCount));
      this.cached = lookup;
      lookup.then(
        (python) => {
          for (const reason of python.passedOver ?? []) {
            this.output.line(`Passed over: ${reason}.`);
          }
          this.output.line(`Using Python ${versionText(python.version)} at ${python.executable} (${python.source}).`);
        },
        () => {
          // A failed lookup is not cached: installing Python or fixing the setting must work at once.
          if (this.cached === lookup) {
            this.cached = undefined;
          }
        },
      );
    }
    return this.cached;
  }

  /** The interpreter, or undefined after telling the learner what to install or set. */
  async ensure(resource?: vscode.Uri): Promise<{ python?: Python; problem?: string }> {
    try {
      return { python: await this.resolve(resource) };
    } catch (error) {
      const message = error instanceof PythonProblem ? error.message : `Python could not be started: ${(error as Error).message}`;
      this.output.line(message);
      const openSetting = 'Open Setting';
      void vscode.window.showErrorMessage(message, openSetting).then((choice) => {
        if (choice === openSetting) {
          void vscode.commands.executeCommand('workbench.action.openSettings', PYTHON_PATH_SETTING);
        }
      });
      return { problem: message };
    }
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
  }
}
