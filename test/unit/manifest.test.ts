import * as assert from 'node:assert/strict';
import { parseManifest, validateManifest } from '../../src/core/manifest';
import { validManifest } from './fixtures';

function problemsOf(data: unknown, folder = 'demo'): string[] {
  const result = validateManifest(data, folder);
  return result.ok ? [] : result.problems.map((problem) => problem.field);
}

describe('manifest', () => {
  it('accepts a valid manifest and keeps its fields', () => {
    const result = validateManifest(validManifest('demo', { minPython: '3.11', flagServer: { delaySeconds: 0.1, errorCodes: ['EG'] } }), 'demo');
    assert.ok(result.ok);
    assert.equal(result.manifest.id, 'demo');
    assert.equal(result.manifest.checks[0].hint, 1);
    assert.equal(result.manifest.checks[1].hint, undefined);
    assert.deepEqual(result.manifest.flagServer, { delaySeconds: 0.1, errorCodes: ['EG'] });
    assert.equal(result.manifest.minPython, '3.11');
  });

  it('keeps per-code flag server delays and names a bad one', () => {
    const flagServer = { delaySeconds: 0.1, errorCodes: [], delayByCode: { BD: 0.5, CD: 0.3 } };
    const result = validateManifest(validManifest('demo', { flagServer }), 'demo');
    assert.ok(result.ok);
    assert.deepEqual(result.manifest.flagServer, flagServer);
    for (const delayByCode of [{ bd: 0.5 }, { BD: -1 }, { BD: '0.5' }, ['BD']]) {
      assert.deepEqual(problemsOf(validManifest('demo', { flagServer: { delaySeconds: 0.1, delayByCode } })), ['flagServer.delayByCode'], JSON.stringify(delayByCode));
    }
  });

  it('keeps a check the starter must fail on every run, and names a malformed mark', () => {
    const checks = [{ id: 'no-lost-updates', title: 'No lost updates', hint: 1, starterFails: true }, { id: 'joined', title: 'Joined' }];
    const result = validateManifest(validManifest('demo', { checks }), 'demo');
    assert.ok(result.ok);
    assert.equal(result.manifest.checks[0].starterFails, true);
    assert.equal(result.manifest.checks[1].starterFails, undefined);
    assert.deepEqual(problemsOf(validManifest('demo', { checks: [{ id: 'x', title: 'X', starterFails: 'yes' }] })), ['checks[0].starterFails']);
  });

  it('names the field of every problem', () => {
    const fields = problemsOf({ ...validManifest('demo'), part: 7, title: '', hints: [], checks: [{ id: 'Bad Id', title: 'x' }] });
    assert.deepEqual(fields.sort(), ['checks[0].id', 'hints', 'part', 'title']);
  });

  it('requires the id to match the folder', () => {
    assert.deepEqual(problemsOf(validManifest('demo'), 'other'), ['id']);
  });

  it('rejects paths that leave the lab folder', () => {
    const fields = problemsOf(validManifest('demo', { entry: '../evil.py', files: ['../evil.py', '/abs.py'] }));
    assert.ok(fields.includes('entry'));
    assert.ok(fields.includes('files[0]'));
    assert.ok(fields.includes('files[1]'));
  });

  it('requires the entry among the files and unique check ids', () => {
    assert.ok(problemsOf(validManifest('demo', { files: ['other.py'] })).includes('files'));
    const duplicate = validManifest('demo', { checks: [{ id: 'a', title: 'A' }, { id: 'a', title: 'again' }] });
    assert.deepEqual(problemsOf(duplicate), ['checks[1].id']);
  });

  it('rejects a hint number outside the ladder', () => {
    assert.deepEqual(problemsOf(validManifest('demo', { checks: [{ id: 'a', title: 'A', hint: 3 }] })), ['checks[0].hint']);
  });

  it('reports broken JSON and wrong schema versions', () => {
    const broken = parseManifest('{"id": ', 'demo');
    assert.equal(broken.ok, false);
    assert.match(!broken.ok ? broken.problems[0].message : '', /not valid JSON/);
    assert.deepEqual(problemsOf({ ...validManifest('demo'), schemaVersion: 2 }), ['schemaVersion']);
    assert.deepEqual(problemsOf([]), ['']);
  });
});
