import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PythonProblem, defaultCandidates, findPython, isSupported } from '../../src/core/python';
import { tempDir } from './fixtures';

function fakePython(version: string): string {
  const file = path.join(tempDir(), 'python');
  fs.writeFileSync(file, `#!/bin/sh\necho '{"executable": "${file}", "version": [${version.split('.').join(', ')}]}'\n`, { mode: 0o755 });
  return file;
}

describe('python discovery', () => {
  it('knows which versions are supported', () => {
    assert.equal(isSupported([3, 9, 0]), true);
    assert.equal(isSupported([3, 13, 0]), true);
    assert.equal(isSupported([3, 8, 18]), false);
    assert.equal(isSupported([2, 7, 18]), false);
  });

  it('finds the real interpreter behind python3 and its version', async () => {
    const python = await findPython(defaultCandidates([]));
    assert.ok(path.isAbsolute(python.executable));
    assert.ok(isSupported(python.version));
  });

  it('passes over a candidate that is too old or missing, and says why', async () => {
    const python = await findPython(defaultCandidates([
      { command: fakePython('3.8.18'), args: [], source: 'the selected one' },
      { command: '/no/such/python3', args: [], source: 'a deleted one' },
    ]));
    assert.ok(isSupported(python.version));
    assert.equal(python.passedOver?.length, 2);
    assert.match(python.passedOver?.[0] ?? '', /the selected one is Python 3\.8\.18/);
    assert.match(python.passedOver?.[1] ?? '', /a deleted one/);
  });

  it('says clearly when no Python is found', async () => {
    await assert.rejects(findPython([{ command: '/no/such/python3', args: [], source: 'test' }]), (error: PythonProblem) => {
      assert.equal(error.kind, 'notFound');
      assert.match(error.message, /No Python 3\.9\+ was found .*concurrencyLabs\.pythonPath/);
      return true;
    });
  });

  it('says clearly when the only Python is too old', async () => {
    await assert.rejects(findPython([{ command: fakePython('3.8.18'), args: [], source: 'old' }]), (error: PythonProblem) => {
      assert.equal(error.kind, 'tooOld');
      assert.match(error.message, /Python 3\.8\.18.*3\.9 or newer/);
      return true;
    });
  });

  it('an explicitly chosen interpreter that does not work is an error, not skipped', async () => {
    const candidates = defaultCandidates([{ command: '/no/such/python', args: [], source: 'setting concurrencyLabs.pythonPath' }]);
    await assert.rejects(findPython(candidates, 1), /setting concurrencyLabs\.pythonPath/);
  });
});
