/**
 * The interpreter selected in the Python extension, through its public API: the suite runs beside a test
 * double of that extension (test/host/fixtures/python-extension-double, same id, same API shape), and
 * selects interpreters as a learner would with "Python: Select Interpreter".
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CheckOutcome } from '../../../src/host/check/checkService';
import { activateExtension, until } from '../helpers';

const SELECTED = 'the interpreter selected in the Python extension';
const LAB = 'flags-sequential';

/** The real Python behind `python3` on PATH (pyenv's shim hands over to it). */
function realPython(): string {
  return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
}

async function select(executable: string): Promise<void> {
  await vscode.commands.executeCommand('pythonExtensionDouble.select', executable);
}

describe('the Python extension’s selected interpreter (extension host, with a test double of ms-python.python)', function () {
  this.timeout(120000);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'concurrency-labs-selected-python-'));
  // A link to the real Python keeps its own path in sys.executable, so the run proves which one ran.
  const linked = path.join(scratch, 'selected', 'python3');

  before(async () => {
    fs.mkdirSync(path.dirname(linked));
    fs.symlinkSync(realPython(), linked);
    const { api } = await activateExtension();
    // The first lookup subscribes to the double's selection event.
    await api.python.resolve();
    await vscode.commands.executeCommand('concurrencyLabs.startLab', LAB);
  });

  after(async () => {
    await select('');
    await vscode.workspace.getConfiguration('concurrencyLabs').update('pythonPath', undefined, vscode.ConfigurationTarget.Global);
  });

  it('the double stands in for the Python extension', () => {
    assert.ok(vscode.extensions.getExtension('ms-python.python'), 'ms-python.python is not installed in this VS Code');
  });

  it('Check runs under the interpreter the learner selected, and says so', async () => {
    const { api } = await activateExtension();
    await select(linked);
    const python = await until('the selected interpreter', async () => {
      const found = await api.python.resolve();
      return found.executable === linked ? found : undefined;
    });
    assert.equal(python.source, SELECTED);
    const outcome = await vscode.commands.executeCommand<CheckOutcome>('concurrencyLabs.checkLab', LAB);
    assert.equal(outcome.kind, 'checked', outcome.kind === 'refused' ? outcome.message : '');
    assert.equal(outcome.kind === 'checked' && outcome.run.executable, linked, 'the runner reported another interpreter');
  });

  it('selecting another interpreter is picked up without a reload', async () => {
    const { api } = await activateExtension();
    await select(linked);
    await until('the first selection', async () => ((await api.python.resolve()).executable === linked ? true : undefined));
    const other = path.join(scratch, 'other', 'python3');
    fs.mkdirSync(path.dirname(other));
    fs.symlinkSync(realPython(), other);
    await select(other);
    const python = await api.python.resolve();
    assert.equal(python.executable, other);
  });

  it('the setting concurrencyLabs.pythonPath wins over the selection', async () => {
    const { api } = await activateExtension();
    await select(linked);
    const real = realPython();
    await vscode.workspace.getConfiguration('concurrencyLabs').update('pythonPath', real, vscode.ConfigurationTarget.Global);
    const python = await until('the setting to take effect', async () => {
      const found = await api.python.resolve();
      return found.executable === real ? found : undefined;
    });
    assert.match(python.source, /concurrencyLabs\.pythonPath/);
    await vscode.workspace.getConfiguration('concurrencyLabs').update('pythonPath', undefined, vscode.ConfigurationTarget.Global);
    await until('the selection again', async () => ((await api.python.resolve()).executable === linked ? true : undefined));
  });

  it('a selected interpreter that is gone, or older than 3.9, is passed over for Python on PATH', async () => {
    const { api } = await activateExtension();
    // Reports itself as Python 3.8, the way the lookup's probe asks every candidate.
    const old = path.join(scratch, 'old', 'python3');
    fs.mkdirSync(path.dirname(old));
    fs.writeFileSync(old, `#!/bin/sh\necho '{"executable": "${old}", "version": [3, 8, 18]}'\n`, { mode: 0o755 });
    for (const selected of [path.join(scratch, 'deleted', 'python3'), old]) {
      await select(selected);
      const python = await api.python.resolve();
      assert.notEqual(python.source, SELECTED, `${selected} was used`);
      assert.ok(python.version[0] === 3 && python.version[1] >= 9, `Python ${python.version.join('.')}`);
    }
  });
});
