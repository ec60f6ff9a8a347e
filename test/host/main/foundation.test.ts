import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadCatalog } from '../../../src/core/catalog';
import { activateExtension, until, workspaceRoot } from '../helpers';

describe('foundation (extension host)', () => {
  it('activates and shows every shipped lab in the tree, grouped by part', async () => {
    const { extension, api } = await activateExtension();
    assert.equal(extension.isActive, true);
    const shipped = loadCatalog(path.join(extension.extensionPath, 'labs'));
    assert.ok(shipped.labs.length > 0, 'the extension ships labs');
    const parts = api.tree.getChildren();
    const labIds = parts.flatMap((part) => api.tree.getChildren(part)).flatMap((node) => (node.kind === 'lab' ? [node.lab.manifest.id] : []));
    assert.deepEqual(labIds, shipped.labs.map((lab) => lab.manifest.id));
    for (const part of parts) {
      const item = api.tree.getTreeItem(part);
      assert.match(String(item.description), /^\d+\/\d+$/, 'each part shows its progress');
    }
    const firstLab = api.tree.getChildren(parts[0])[0];
    const item = api.tree.getTreeItem(firstLab);
    assert.equal(item.contextValue, 'lab.notStarted');
    assert.ok(item.tooltip, 'a lab has a tooltip');
  });

  it('a terminal can run the instructions’ python -m labkit commands', async () => {
    const { extension } = await activateExtension();
    const answer = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cl-terminal-')), 'labkit.txt');
    const program = `import labkit, pathlib; pathlib.Path(${JSON.stringify(answer)}).write_text(labkit.__file__)`;
    // Run from another folder, as a learner's terminal would be, so only PYTHONPATH can find labkit.
    const terminal = vscode.window.createTerminal({ name: 'labkit probe', shellPath: 'python3', shellArgs: ['-c', program], cwd: path.dirname(answer) });
    try {
      const found = await until('the terminal to import labkit', () => (fs.existsSync(answer) ? fs.readFileSync(answer, 'utf8') : undefined), 20000);
      assert.equal(path.dirname(path.dirname(found)), path.join(extension.extensionPath, 'labs'));
    } finally {
      terminal.dispose();
    }
  });

  it('every contributed command is registered and every registered command is contributed', async () => {
    const { extension } = await activateExtension();
    const contributed = (extension.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command).sort();
    // VS Code itself registers `<viewId>.focus` and friends for every contributed view.
    const viewIds = Object.values(extension.packageJSON.contributes.views as Record<string, { id: string }[]>).flat().map((view) => view.id);
    const registered = (await vscode.commands.getCommands(true))
      .filter((id) => id.startsWith('concurrencyLabs.') && !viewIds.some((view) => id.startsWith(`${view}.`)))
      .sort();
    assert.deepEqual(registered, contributed);
  });

  it('Start Lab scaffolds the starter files into the workspace and opens the entry file', async () => {
    const { api } = await activateExtension();
    const lab = api.labs.catalog.labs[0];
    const labDir = path.join(workspaceRoot(), 'concurrency-labs', lab.manifest.id);
    await vscode.commands.executeCommand('concurrencyLabs.startLab', lab.manifest.id);
    for (const file of lab.manifest.files) {
      assert.ok(fs.existsSync(path.join(labDir, file)), `${file} was scaffolded`);
    }
    assert.ok(fs.existsSync(path.join(labDir, 'README.md')));
    assert.ok(!fs.existsSync(path.join(labDir, 'checks')), 'hidden checks stay hidden');
    await until('the entry file to open', () =>
      vscode.window.visibleTextEditors.some((editor) => editor.document.uri.fsPath === path.join(labDir, lab.manifest.entry)) || undefined,
    );
    assert.equal(api.labs.status(lab), 'inProgress');
  });

  it('Start Lab on a started lab keeps the learner’s edits', async () => {
    const { api } = await activateExtension();
    const lab = api.labs.catalog.labs[0];
    const entry = path.join(workspaceRoot(), 'concurrency-labs', lab.manifest.id, lab.manifest.entry);
    fs.writeFileSync(entry, '# my own work\n');
    await vscode.commands.executeCommand('concurrencyLabs.startLab', lab.manifest.id);
    assert.equal(fs.readFileSync(entry, 'utf8'), '# my own work\n');
  });
});
