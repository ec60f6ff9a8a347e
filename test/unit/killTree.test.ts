/** killTree must reach processes that left the process group, as labkit's learner programs do. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { killTree, startProcess } from '../../src/core/processes';
import { defaultCandidates, findPython } from '../../src/core/python';
import { tempDir, waitGone } from './fixtures';

const ESCAPES_GROUP = `
import subprocess, sys, time
child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'], start_new_session=True)
open('child.pid', 'w').write(str(child.pid))
time.sleep(600)
`;

describe('killTree', function () {
  this.timeout(30000);

  it('kills a descendant that runs in a session of its own', async function () {
    if (process.platform === 'win32') {
      this.skip();
    }
    const python = (await findPython(defaultCandidates([]))).executable;
    const dir = tempDir();
    const parent = startProcess(python, ['-c', ESCAPES_GROUP], { cwd: dir });
    const pidFile = path.join(dir, 'child.pid');
    const deadline = Date.now() + 10000;
    while (!fs.existsSync(pidFile) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const child = Number(fs.readFileSync(pidFile, 'utf8'));
    killTree(parent);
    assert.ok(await waitGone(parent.pid!), 'the parent is gone');
    assert.ok(await waitGone(child), 'the child in its own session is gone too');
  });
});
