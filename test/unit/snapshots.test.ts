import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listSnapshots, nextSnapshotNumber, planRotation, recordSnapshotResult, restoreSnapshot, snapshotsDir, takeSnapshot } from '../../src/core/snapshots';
import { tempDir } from './fixtures';

function learnerLab(files: Record<string, string>): { labsFolder: string; source: { labId: string; learnerDir: string; files: string[] } } {
  const labsFolder = tempDir();
  const learnerDir = path.join(labsFolder, 'demo');
  fs.mkdirSync(learnerDir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(learnerDir, name)), { recursive: true });
    fs.writeFileSync(path.join(learnerDir, name), text);
  }
  return { labsFolder, source: { labId: 'demo', learnerDir, files: ['main.py', 'pkg/util.py'] } };
}

describe('snapshots', () => {
  it('rotation deletes only the oldest beyond the limit, and numbers keep growing', () => {
    assert.deepEqual(planRotation([3, 1, 2], 5), []);
    assert.deepEqual(planRotation([5, 1, 4, 2, 3], 3), [1, 2]);
    assert.deepEqual(planRotation([7, 8], 0), [7], 'a limit below one still keeps the newest');
    assert.equal(nextSnapshotNumber([]), 1);
    assert.equal(nextSnapshotNumber([4, 2, 9]), 10);
  });

  it('keeps the lab files, skips unchanged re-checks and missing files', () => {
    const { labsFolder, source } = learnerLab({ 'main.py': 'v1\n' });
    const first = takeSnapshot(labsFolder, source, 'check');
    assert.ok(first);
    assert.equal(first.number, 1);
    assert.deepEqual(first.files, ['main.py'], 'the missing pkg/util.py is not invented');
    assert.equal(takeSnapshot(labsFolder, source, 'check')?.number, 1, 'unchanged files reuse the latest snapshot');
    fs.writeFileSync(path.join(source.learnerDir, 'main.py'), 'v2\n');
    fs.mkdirSync(path.join(source.learnerDir, 'pkg'));
    fs.writeFileSync(path.join(source.learnerDir, 'pkg', 'util.py'), 'helper\n');
    const second = takeSnapshot(labsFolder, source, 'check');
    assert.equal(second?.number, 2);
    assert.equal(fs.readFileSync(path.join(second!.dir, 'pkg', 'util.py'), 'utf8'), 'helper\n');
    assert.deepEqual(listSnapshots(labsFolder, 'demo').map((snapshot) => snapshot.number), [2, 1], 'newest first');
  });

  it('stays within its limit, dropping the oldest', () => {
    const { labsFolder, source } = learnerLab({ 'main.py': '0' });
    for (let version = 1; version <= 6; version++) {
      fs.writeFileSync(path.join(source.learnerDir, 'main.py'), String(version));
      takeSnapshot(labsFolder, source, 'check', 3);
    }
    const kept = listSnapshots(labsFolder, 'demo');
    assert.deepEqual(kept.map((snapshot) => snapshot.number), [6, 5, 4]);
    assert.equal(fs.readFileSync(path.join(kept[2].dir, 'main.py'), 'utf8'), '4');
    assert.deepEqual(fs.readdirSync(snapshotsDir(labsFolder, 'demo')).sort(), ['4', '5', '6']);
  });

  it('records the verdict, and ignores a half-written snapshot', () => {
    const { labsFolder, source } = learnerLab({ 'main.py': 'x' });
    const snapshot = takeSnapshot(labsFolder, source, 'check', 5, new Date('2026-01-02T03:04:05Z'))!;
    recordSnapshotResult(snapshot, 'failed', 1, 4);
    fs.mkdirSync(path.join(snapshotsDir(labsFolder, 'demo'), '7'));
    const [listed, ...others] = listSnapshots(labsFolder, 'demo');
    assert.equal(others.length, 0, 'a folder without its meta file is never offered');
    assert.equal(listed.status, 'failed');
    assert.equal(listed.passedChecks, 1);
    assert.equal(listed.takenAt, '2026-01-02T03:04:05.000Z');
  });

  it('restores an attempt after keeping the current files, so the restore can be undone', () => {
    const { labsFolder, source } = learnerLab({ 'main.py': 'first try\n' });
    const first = takeSnapshot(labsFolder, source, 'check', 2)!;
    fs.writeFileSync(path.join(source.learnerDir, 'main.py'), 'second try\n');
    takeSnapshot(labsFolder, source, 'check', 2);
    fs.writeFileSync(path.join(source.learnerDir, 'main.py'), 'unchecked edits\n');
    const result = restoreSnapshot(labsFolder, source, first, 2);
    assert.equal(fs.readFileSync(path.join(source.learnerDir, 'main.py'), 'utf8'), 'first try\n');
    assert.ok(result.saved);
    assert.equal(result.saved.reason, 'beforeRestore');
    assert.equal(fs.readFileSync(path.join(result.saved.dir, 'main.py'), 'utf8'), 'unchecked edits\n');
    assert.ok(fs.existsSync(first.dir), 'the restored snapshot survives the extra copy even at the limit');
  });
});
