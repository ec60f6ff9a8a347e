/** The timeline panel in a real VS Code: Show Timeline opens it, the webview draws, bad files get a message. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RenderReport } from '../../../src/host/timeline/registerTimeline';
import { activateExtension, until } from '../helpers';

// Tests run from out/test/host/<suite>; the fixtures stay in the source tree.
const FIXTURES = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'unit', 'timeline', 'fixtures');

function show(file: string): Thenable<RenderReport | undefined> {
  return vscode.commands.executeCommand<RenderReport | undefined>('concurrencyLabs.showTimeline', vscode.Uri.file(path.join(FIXTURES, file)));
}

describe('timeline panel (extension host)', function () {
  this.timeout(60000);

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Show Timeline on a trace file opens the panel and the webview draws it', async () => {
    const { api } = await activateExtension();
    // A Check still finishing from an earlier suite (check on save) would show its own trace in the panel.
    await vscode.workspace.getConfiguration('concurrencyLabs').update('checkOnSave', false, vscode.ConfigurationTarget.Global);
    await until('earlier runs to finish', () => api.runs.all.length === 0 || undefined, 60000);
    const report = await show('labkit-threadpool.json');
    assert.deepEqual(report && [report.state, report.runs], ['rendered', ['labkit-threadpool.json']]);
    const tabs = vscode.window.tabGroups.all.flatMap((group) => group.tabs);
    assert.ok(tabs.some((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.includes('concurrencyLabs.timeline')), 'a timeline tab is open');
  });

  it('a file that is not a trace, or is missing, shows a message in the panel', async () => {
    assert.equal((await show('not-a-trace.json'))?.state, 'problem');
    assert.equal((await show('missing.json'))?.state, 'problem');
    assert.equal((await show('perfetto-foreign.json'))?.state, 'rendered');
  });
});
