import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freshTracePath, latestTracePath } from '../../src/host/run/labTraces';
import { tempDir } from './fixtures';

describe('lab trace files', () => {
  it('one file per lab and kind, emptied before each run', () => {
    const dir = path.join(tempDir(), 'traces');
    const file = freshTracePath(dir, 'demo', 'check');
    assert.equal(file, path.join(dir, 'demo.check.json'));
    fs.writeFileSync(file, '{}');
    assert.equal(freshTracePath(dir, 'demo', 'check'), file);
    assert.equal(fs.existsSync(file), false, 'a stale timeline never passes for the next run');
  });

  it('the latest timeline of a lab is the newest of its Check and its Run', () => {
    const dir = tempDir();
    assert.equal(latestTracePath(dir, 'demo'), undefined);
    const check = freshTracePath(dir, 'demo', 'check');
    const run = freshTracePath(dir, 'demo', 'run');
    fs.writeFileSync(check, '{}');
    fs.writeFileSync(run, '{}');
    fs.utimesSync(check, new Date(2000, 0, 1), new Date(2000, 0, 1));
    assert.equal(latestTracePath(dir, 'demo'), run);
    fs.utimesSync(run, new Date(1999, 0, 1), new Date(1999, 0, 1));
    assert.equal(latestTracePath(dir, 'demo'), check);
    assert.equal(latestTracePath(dir, 'other'), undefined);
  });
});
