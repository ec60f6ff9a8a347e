import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Lab, loadCatalog } from '../../src/core/catalog';
import { LAB_MARKER, applyReset, applyStart, nodeExists, planReset, planStart } from '../../src/core/scaffold';
import { tempDir, writeLab } from './fixtures';

function oneLab(): Lab {
  const root = tempDir();
  writeLab(root, 'demo');
  return loadCatalog(root).labs[0];
}

describe('scaffold', () => {
  it('starts a lab: starter files, instructions and a marker', () => {
    const lab = oneLab();
    const folder = tempDir();
    const plan = planStart(lab, folder, nodeExists);
    assert.equal(plan.alreadyStarted, false);
    applyStart(plan);
    const labDir = path.join(folder, 'demo');
    assert.equal(fs.readFileSync(path.join(labDir, 'main.py'), 'utf8'), 'print("starter")\n');
    assert.ok(fs.existsSync(path.join(labDir, 'README.md')));
    assert.equal(JSON.parse(fs.readFileSync(path.join(labDir, LAB_MARKER), 'utf8')).lab, 'demo');
    assert.ok(!fs.existsSync(path.join(labDir, 'checks')), 'hidden checks are never copied');
  });

  it('never overwrites the learner’s files when started again, and restores only missing ones', () => {
    const lab = oneLab();
    const folder = tempDir();
    applyStart(planStart(lab, folder, nodeExists));
    const entry = path.join(folder, 'demo', 'main.py');
    fs.writeFileSync(entry, 'my work\n');
    fs.rmSync(path.join(folder, 'demo', 'README.md'));
    const again = planStart(lab, folder, nodeExists);
    assert.equal(again.alreadyStarted, true);
    assert.deepEqual(again.kept, [entry]);
    applyStart(again);
    assert.equal(fs.readFileSync(entry, 'utf8'), 'my work\n');
    assert.ok(fs.existsSync(path.join(folder, 'demo', 'README.md')));
  });

  it('refuses to overwrite a file that appeared after planning', () => {
    const lab = oneLab();
    const folder = tempDir();
    const plan = planStart(lab, folder, nodeExists);
    fs.mkdirSync(path.join(folder, 'demo'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'demo', 'main.py'), 'typed meanwhile\n');
    assert.throws(() => applyStart(plan), /EEXIST/);
    assert.equal(fs.readFileSync(path.join(folder, 'demo', 'main.py'), 'utf8'), 'typed meanwhile\n');
  });

  it('resets to the starter after backing up the learner’s files, and keeps other files', () => {
    const lab = oneLab();
    const folder = tempDir();
    applyStart(planStart(lab, folder, nodeExists));
    const entry = path.join(folder, 'demo', 'main.py');
    fs.writeFileSync(entry, 'attempt one\n');
    fs.writeFileSync(path.join(folder, 'demo', 'notes.txt'), 'mine\n');
    const plan = planReset(lab, folder, nodeExists, new Date('2026-01-02T03:04:05.678Z'));
    applyReset(plan);
    assert.equal(fs.readFileSync(entry, 'utf8'), 'print("starter")\n');
    assert.equal(fs.readFileSync(path.join(plan.backupDir, 'main.py'), 'utf8'), 'attempt one\n');
    assert.match(plan.backupDir, /2026-01-02T03-04-05-678Z$/);
    assert.equal(fs.readFileSync(path.join(folder, 'demo', 'notes.txt'), 'utf8'), 'mine\n');
  });

  it('two resets in a row keep two backups', () => {
    const lab = oneLab();
    const folder = tempDir();
    applyStart(planStart(lab, folder, nodeExists));
    applyReset(planReset(lab, folder, nodeExists, new Date(1000)));
    applyReset(planReset(lab, folder, nodeExists, new Date(2000)));
    assert.equal(fs.readdirSync(path.join(folder, '.backups', 'demo')).length, 2);
  });
});
