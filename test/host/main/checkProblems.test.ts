/**
 * What the learner can break around a Check: a lab never started, a syntax error, a deleted entry file,
 * a deleted or renamed lab folder. Each gets a clear answer and nothing the learner wrote is lost.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CheckOutcome } from '../../../src/host/check/checkService';
import { activateExtension, workspaceRoot } from '../helpers';

const LAB = 'flags-threadpool';

function check(): Thenable<CheckOutcome> {
  return vscode.commands.executeCommand<CheckOutcome>('concurrencyLabs.checkLab', LAB);
}

function refusal(outcome: CheckOutcome): { reason: string; message: string } {
  assert.equal(outcome.kind, 'refused');
  return outcome.kind === 'refused' ? outcome : { reason: '', message: '' };
}

describe('Check Lab: broken lab folders (extension host)', function () {
  this.timeout(60000);
  let labDir: string;

  before(() => {
    labDir = path.join(workspaceRoot(), 'concurrency-labs', LAB);
  });

  after(async () => {
    const { api } = await activateExtension();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(path.join(workspaceRoot(), 'concurrency-labs'), { recursive: true, force: true });
    api.labs.refresh();
  });

  it('a lab that was never started is refused with what to do', async () => {
    await activateExtension();
    const { reason, message } = refusal(await check());
    assert.equal(reason, 'notStarted');
    assert.match(message, /not started yet/);
  });

  it('a syntax error is reported at its line, and the learner’s file is kept as it is', async () => {
    await vscode.commands.executeCommand('concurrencyLabs.startLab', LAB);
    const entry = path.join(labDir, 'flags.py');
    const document = await vscode.workspace.openTextDocument(entry);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, new vscode.Position(0, 0), 'def broken(:\n');
    await vscode.workspace.applyEdit(edit);
    assert.ok(document.isDirty);
    const outcome = await check();
    assert.equal(outcome.kind, 'checked');
    if (outcome.kind !== 'checked') {
      return;
    }
    assert.equal(outcome.status, 'error');
    assert.match(outcome.run.fatal?.message ?? '', /SyntaxError/);
    assert.equal(outcome.run.fatal?.line, 1);
    assert.equal(document.isDirty, false, 'unsaved edits were saved before checking, not lost');
    assert.ok(fs.readFileSync(entry, 'utf8').startsWith('def broken(:\n'));
    const squiggles = vscode.languages.getDiagnostics(document.uri).filter((diagnostic) => diagnostic.source === 'Concurrency Labs');
    assert.equal(squiggles.length, 1, 'one squiggle, naming every check it stopped');
    assert.equal(squiggles[0].range.start.line, 0);
    assert.match(squiggles[0].message, /SyntaxError/);
  });

  it('a deleted entry file is named, with how to get it back', async () => {
    fs.renameSync(path.join(labDir, 'flags.py'), path.join(labDir, 'flags-old.py'));
    const { reason, message } = refusal(await check());
    assert.equal(reason, 'entryMissing');
    assert.match(message, /flags\.py is missing/);
    assert.match(message, /Restore Attempt/, 'the attempt kept by the last Check can bring it back');
    fs.renameSync(path.join(labDir, 'flags-old.py'), path.join(labDir, 'flags.py'));
  });

  it('a renamed lab folder is explained, and its files are left alone', async () => {
    const renamed = `${labDir}-mine`;
    fs.renameSync(labDir, renamed);
    try {
      const { reason, message } = refusal(await check());
      assert.equal(reason, 'folderMissing');
      assert.match(message, new RegExp(`rename it back to "${LAB}"`));
      assert.ok(fs.existsSync(path.join(renamed, 'flags.py')));
    } finally {
      fs.renameSync(renamed, labDir);
    }
  });
});
