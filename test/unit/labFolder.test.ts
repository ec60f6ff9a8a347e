import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describeLabFolderProblem, labFolderProblem } from '../../src/host/safety/labFolder';

describe('lab folder problems', () => {
  const dir = path.join('/ws', 'concurrency-labs', 'demo');
  const existing = (...files: string[]) => (file: string) => files.includes(file);

  it('finds nothing wrong when the folder and entry exist', () => {
    assert.equal(labFolderProblem(dir, 'main.py', existing(dir, path.join(dir, 'main.py')), true), undefined);
  });

  it('tells a deleted or renamed folder from a lab never started', () => {
    assert.deepEqual(labFolderProblem(dir, 'main.py', existing(), true), { kind: 'folderMissing', dir });
    assert.deepEqual(labFolderProblem(dir, 'main.py', existing(), false), { kind: 'notStarted' });
    assert.deepEqual(labFolderProblem(undefined, 'main.py', existing(), true), { kind: 'noWorkspace' });
  });

  it('names the missing entry file and how to get it back', () => {
    const problem = labFolderProblem(dir, 'main.py', existing(dir), true);
    assert.deepEqual(problem, { kind: 'entryMissing', file: path.join(dir, 'main.py') });
    const message = describeLabFolderProblem(problem!, 'Demo', true);
    assert.match(message, /main\.py is missing/);
    assert.match(message, /Restore Attempt/);
    assert.doesNotMatch(describeLabFolderProblem(problem!, 'Demo', false), /Restore Attempt/);
    assert.match(describeLabFolderProblem({ kind: 'folderMissing', dir }, 'Demo', false), /rename it back to "demo"/);
  });
});
