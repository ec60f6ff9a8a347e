import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ProgressStore, statusOf } from '../../src/core/progress';
import { labIdForFile, learnerLabDir, resolveLabsFolder } from '../../src/core/workspace';
import { tempDir } from './fixtures';

describe('workspace', () => {
  it('resolves the labs folder inside the workspace and refuses one outside it', () => {
    assert.equal(resolveLabsFolder('/ws', 'labs').path, path.resolve('/ws/labs'));
    assert.equal(resolveLabsFolder('/ws', '').path, path.resolve('/ws/concurrency-labs'));
    const outside = resolveLabsFolder('/ws', '../elsewhere');
    assert.equal(outside.path, path.join('/ws', 'concurrency-labs'));
    assert.match(outside.warning ?? '', /not a folder inside the workspace/);
  });

  it('finds the lab of a file', () => {
    assert.equal(labIdForFile('/ws/concurrency-labs', '/ws/concurrency-labs/thread-race/race.py'), 'thread-race');
    assert.equal(labIdForFile('/ws/concurrency-labs', '/ws/other.py'), undefined);
    assert.equal(labIdForFile('/ws/concurrency-labs', '/ws/concurrency-labs/.progress.json'), undefined);
    assert.equal(labIdForFile('/ws/concurrency-labs', '/ws/concurrency-labs/.backups/x/y.py'), undefined);
  });

  it('accepts a lab folder or a workspace on the command line', () => {
    const ws = tempDir();
    const lab = path.join(ws, 'concurrency-labs', 'demo');
    fs.mkdirSync(lab, { recursive: true });
    fs.writeFileSync(path.join(lab, '.lab'), '{}');
    assert.equal(learnerLabDir(ws, 'demo'), lab);
    assert.equal(learnerLabDir(lab, 'demo'), lab);
  });
});

describe('progress', () => {
  it('persists attempts, verdicts and hints across instances', () => {
    const folder = tempDir();
    const store = new ProgressStore(folder);
    store.markStarted('demo');
    store.recordCheck('demo', 'failed');
    store.recordCheck('demo', 'passed');
    assert.equal(store.revealHint('demo', 2), 1);
    assert.equal(store.revealHint('demo', 2), 2);
    assert.equal(store.revealHint('demo', 2), 2, 'never past the last hint');
    const again = new ProgressStore(folder).get('demo');
    assert.equal(again.attempts, 2);
    assert.equal(again.failedAttempts, 1);
    assert.equal(again.lastStatus, 'passed');
    assert.equal(again.hintsSeen, 2);
    assert.ok(again.passed);
  });

  it('sets a damaged file aside instead of losing it', () => {
    const folder = tempDir();
    fs.writeFileSync(path.join(folder, '.progress.json'), '{ not json');
    const store = new ProgressStore(folder);
    assert.match(store.warning ?? '', /moved to/);
    const aside = fs.readdirSync(folder).find((name) => name.startsWith('.progress.json.damaged-'));
    assert.ok(aside);
    assert.equal(fs.readFileSync(path.join(folder, aside!), 'utf8'), '{ not json');
  });

  it('derives the tree status', () => {
    assert.equal(statusOf(undefined, false), 'notStarted');
    assert.equal(statusOf({ attempts: 0, failedAttempts: 0, hintsSeen: 0, started: 'x' }, false), 'notStarted');
    assert.equal(statusOf({ attempts: 0, failedAttempts: 0, hintsSeen: 0 }, true), 'inProgress');
    assert.equal(statusOf({ attempts: 1, failedAttempts: 1, hintsSeen: 0, lastStatus: 'failed' }, true), 'failed');
    assert.equal(statusOf({ attempts: 1, failedAttempts: 0, hintsSeen: 0, lastStatus: 'passed' }, true), 'passed');
  });
});
