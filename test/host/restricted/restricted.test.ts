/**
 * Restricted Mode (the folder is not trusted): labs can be browsed and started, hints read, but Check and
 * Run with Timeline refuse to run the learner's code and say how to trust the folder.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CheckOutcome } from '../../../src/host/check/checkService';
import type { RunOutcome } from '../../../src/host/run/registerRunWithTimeline';
import { activateExtension, workspaceRoot } from '../helpers';

describe('Restricted Mode (extension host, untrusted folder)', function () {
  this.timeout(60000);

  it('the folder really is untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('labs can still be started and their hints read', async () => {
    const { api } = await activateExtension();
    const lab = api.labs.catalog.labs[0];
    await vscode.commands.executeCommand('concurrencyLabs.startLab', lab.manifest.id);
    assert.ok(fs.existsSync(path.join(workspaceRoot(), 'concurrency-labs', lab.manifest.id, lab.manifest.entry)));
    const hint = await vscode.commands.executeCommand<{ number: number }>('concurrencyLabs.showHint', lab.manifest.id);
    assert.equal(hint.number, 1);
  });

  it('Check Lab refuses to run the learner’s code and explains how to trust the folder', async () => {
    const { api } = await activateExtension();
    const lab = api.labs.catalog.labs[0];
    const outcome = await vscode.commands.executeCommand<CheckOutcome>('concurrencyLabs.checkLab', lab.manifest.id);
    assert.equal(outcome.kind, 'refused');
    assert.equal(outcome.kind === 'refused' && outcome.reason, 'untrusted');
    assert.match(outcome.kind === 'refused' ? outcome.message : '', /Restricted Mode.*Manage Workspace Trust/s);
    assert.equal(api.runs.all.length, 0, 'nothing was started');
    assert.equal(api.labs.progress()?.get(lab.manifest.id).attempts, 0, 'a refused Check is no attempt');
    assert.ok(!fs.existsSync(path.join(workspaceRoot(), 'concurrency-labs', '.snapshots')), 'and takes no snapshot');
  });

  it('Run with Timeline refuses too', async () => {
    const { api } = await activateExtension();
    const outcome = await vscode.commands.executeCommand<RunOutcome>('concurrencyLabs.runWithTimeline', api.labs.catalog.labs[0].manifest.id);
    assert.equal(outcome.kind, 'refused');
    assert.equal(outcome.kind === 'refused' && outcome.reason, 'untrusted');
  });
});
