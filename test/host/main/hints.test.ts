/** Show Hint's ladder, the document of hints already seen, and the locked reference solution. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HintShown, SolutionOutcome } from '../../../src/host/hints/registerHints';
import { activateExtension, workspaceRoot } from '../helpers';

const LAB = 'flags-threadpool';

describe('hints and solution (extension host)', function () {
  this.timeout(60000);

  after(async () => {
    const { api } = await activateExtension();
    await vscode.workspace.getConfiguration('concurrencyLabs').update('solutionAfterFailedChecks', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(path.join(workspaceRoot(), 'concurrency-labs'), { recursive: true, force: true });
    api.labs.refresh();
  });

  it('climbs the ladder one hint at a time, then keeps showing the last', async () => {
    const { api } = await activateExtension();
    await vscode.commands.executeCommand('concurrencyLabs.startLab', LAB);
    const total = api.labs.lab(LAB)!.manifest.hints.length;
    const shown: number[] = [];
    for (let step = 0; step < total + 1; step++) {
      shown.push((await vscode.commands.executeCommand<HintShown>('concurrencyLabs.showHint', LAB)).number);
    }
    assert.deepEqual(shown, [...Array.from({ length: total }, (_, index) => index + 1), total]);
    assert.equal(api.labs.progress()?.get(LAB).hintsSeen, total);
  });

  it('hints already seen stay readable in one document', async () => {
    const { api } = await activateExtension();
    const hints = api.labs.lab(LAB)!.manifest.hints;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: 'concurrency-labs', path: `/hints/${LAB}.md` }));
    const text = document.getText();
    for (const [index, hint] of hints.entries()) {
      assert.ok(text.includes(`Hint ${index + 1} of ${hints.length}`));
      assert.ok(text.includes(hint));
    }
  });

  it('the solution stays locked until the lab is passed when the setting is 0', async () => {
    await vscode.workspace.getConfiguration('concurrencyLabs').update('solutionAfterFailedChecks', 0, vscode.ConfigurationTarget.Workspace);
    const outcome = await vscode.commands.executeCommand<SolutionOutcome>('concurrencyLabs.showSolution', LAB);
    assert.equal(outcome.unlocked, false);
    assert.match(outcome.unlocked ? '' : outcome.explanation, /unlocks once you pass this lab/);
  });
});
