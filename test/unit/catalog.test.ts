import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { groupByPart, loadCatalog, nextLab, pythonTooOldFor } from '../../src/core/catalog';
import { tempDir, validManifest, writeLab } from './fixtures';

describe('catalog', () => {
  it('loads labs in teaching order and groups them by part', () => {
    const root = tempDir();
    writeLab(root, 'b-second', validManifest('b-second', { part: 1, order: 2 }));
    writeLab(root, 'a-later-part', validManifest('a-later-part', { part: 3, order: 1 }));
    writeLab(root, 'c-first', validManifest('c-first', { part: 1, order: 1 }));
    const catalog = loadCatalog(root);
    assert.deepEqual(catalog.labs.map((lab) => lab.manifest.id), ['c-first', 'b-second', 'a-later-part']);
    assert.deepEqual(catalog.problems, []);
    const groups = groupByPart(catalog.labs);
    assert.deepEqual(groups.map((group) => group.labs.length), [2, 0, 1, 0]);
    assert.equal(nextLab(catalog, 'c-first')?.manifest.id, 'b-second');
    assert.equal(nextLab(catalog, 'a-later-part')?.manifest.id, 'c-first', 'an earlier lab not passed yet');
    const passed = new Set(['b-second']);
    assert.equal(nextLab(catalog, 'c-first', (id) => passed.has(id))?.manifest.id, 'a-later-part', 'passed labs are skipped');
    passed.add('c-first');
    assert.equal(nextLab(catalog, 'a-later-part', (id) => passed.has(id)), undefined, 'every other lab passed');
  });

  it('says when a Python is too old for a lab that names its minimum', () => {
    const root = tempDir();
    writeLab(root, 'any', validManifest('any'));
    writeLab(root, 'new', validManifest('new', { minPython: '3.11' }));
    const [any, needsNew] = loadCatalog(root).labs;
    assert.equal(pythonTooOldFor(any, [3, 9, 18]), undefined);
    assert.equal(pythonTooOldFor(needsNew, [3, 9, 18]), 'needs Python 3.11+, this is 3.9.18');
    assert.equal(pythonTooOldFor(needsNew, [3, 11, 0]), undefined);
    assert.equal(pythonTooOldFor(needsNew, [4, 0, 0]), undefined);
  });

  it('skips a bad lab with an error naming its file and field, and loads the rest', () => {
    const root = tempDir();
    writeLab(root, 'good');
    writeLab(root, 'broken', validManifest('broken', { part: 9 }));
    writeLab(root, 'no-manifest', null);
    writeLab(root, 'not-json', '{ nope');
    const catalog = loadCatalog(root);
    assert.deepEqual(catalog.labs.map((lab) => lab.manifest.id), ['good']);
    const byFolder = new Map(catalog.problems.map((problem) => [problem.folder, problem]));
    assert.equal(byFolder.get('broken')?.field, 'part');
    assert.equal(byFolder.get('broken')?.file, path.join(root, 'broken', 'lab.json'));
    assert.match(byFolder.get('no-manifest')?.message ?? '', /missing lab\.json/);
    assert.match(byFolder.get('not-json')?.message ?? '', /not valid JSON/);
  });

  it('reports a starter file named in the manifest but missing on disk', () => {
    const root = tempDir();
    const dir = writeLab(root, 'gap');
    fs.rmSync(path.join(dir, 'starter', 'main.py'));
    const catalog = loadCatalog(root);
    assert.equal(catalog.labs.length, 0);
    assert.match(catalog.problems[0].message, /starter\/main\.py/);
  });

  it('ignores labkit, private and hidden folders', () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, 'labkit'));
    fs.mkdirSync(path.join(root, '_drafts'));
    fs.mkdirSync(path.join(root, '.cache'));
    assert.deepEqual(loadCatalog(root).problems, []);
  });

  it('loads the labs shipped in this repository without problems', () => {
    const catalog = loadCatalog(path.resolve(__dirname, '..', '..', '..', 'labs'));
    assert.deepEqual(catalog.problems, []);
  });
});
