/**
 * The TypeScript side of a Check against a fake `labkit.runner` that misbehaves on purpose: it is the real
 * spawn, the real results file and the real process-tree kill, with the Python side reduced to a script.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCatalog } from '../../src/core/catalog';
import { defaultCandidates, findPython } from '../../src/core/python';
import { runChecks } from '../../src/core/runner';
import { tempDir, validManifest, waitGone, writeLab } from './fixtures';

const FAKE_RUNNER = `
import json, os, subprocess, sys, time
args = sys.argv[1:]
results = args[args.index('--results') + 1]
mode = open(os.path.join(os.getcwd(), 'mode.txt')).read().strip()
def emit(**event):
    with open(results, 'a') as f:
        f.write(json.dumps(dict(v=1, **event)) + '\\n')
emit(type='hello', python='3.x', executable=sys.executable, lab='demo')
print('PASSED all checks')  # learner-style noise on stdout must never count
if mode == 'pass':
    emit(type='checkEnd', id='works', status='passed', message='')
    emit(type='checkEnd', id='fast', status='passed', message='')
    emit(type='done', status='passed', durationMs=12)
elif mode == 'hang':
    child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])
    open(os.path.join(os.getcwd(), 'child.pid'), 'w').write(str(child.pid))
    emit(type='checkStart', id='works')
    time.sleep(600)
elif mode == 'crash':
    raise KeyError('boom')
`;

function fakeLabs(timeLimitSeconds: number) {
  const labsRoot = tempDir();
  fs.mkdirSync(path.join(labsRoot, 'labkit'));
  fs.writeFileSync(path.join(labsRoot, 'labkit', '__init__.py'), '');
  fs.writeFileSync(path.join(labsRoot, 'labkit', 'runner.py'), FAKE_RUNNER);
  writeLab(labsRoot, 'demo', validManifest('demo', { timeLimitSeconds }));
  const lab = loadCatalog(labsRoot).labs[0];
  return { labsRoot, lab };
}

function workDir(mode: string): string {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'mode.txt'), mode);
  return dir;
}

describe('runner (TypeScript side)', function () {
  this.timeout(30000);
  let python: string;

  before(async () => {
    python = (await findPython(defaultCandidates([]))).executable;
  });

  it('reads the results file, not stdout, and reports progress events', async () => {
    const { labsRoot, lab } = fakeLabs(20);
    const seen: string[] = [];
    let output = '';
    const run = await runChecks({ lab, workDir: workDir('pass'), labsRoot, pythonExecutable: python, onEvent: (event) => seen.push(event.type), onOutput: (text) => (output += text) });
    assert.equal(run.status, 'passed');
    assert.deepEqual(seen, ['hello', 'checkEnd', 'checkEnd', 'done']);
    assert.match(output, /PASSED all checks/);
  });

  it('kills the whole process tree at the time limit and says it timed out', async () => {
    const { labsRoot, lab } = fakeLabs(1);
    const dir = workDir('hang');
    const run = await runChecks({ lab, workDir: dir, labsRoot, pythonExecutable: python, graceSeconds: 0.5 });
    assert.equal(run.status, 'timedOut');
    assert.equal(run.checks[0].status, 'timedOut');
    const childPid = Number(fs.readFileSync(path.join(dir, 'child.pid'), 'utf8'));
    assert.ok(await waitGone(childPid), 'the runner’s child must be killed too');
  });

  it('stops on request, killing the tree', async () => {
    const { labsRoot, lab } = fakeLabs(60);
    const controller = new AbortController();
    const dir = workDir('hang');
    const started = Date.now();
    const pending = runChecks({ lab, workDir: dir, labsRoot, pythonExecutable: python, signal: controller.signal });
    while (!fs.existsSync(path.join(dir, 'child.pid')) && Date.now() - started < 10000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    controller.abort();
    const run = await pending;
    assert.equal(run.checks[0].status, 'skipped');
    const childPid = Number(fs.readFileSync(path.join(dir, 'child.pid'), 'utf8'));
    assert.ok(await waitGone(childPid), 'the runner’s child must be killed too');
  });

  it('reports a crashed runner as an error with its traceback', async () => {
    const { labsRoot, lab } = fakeLabs(20);
    const run = await runChecks({ lab, workDir: workDir('crash'), labsRoot, pythonExecutable: python });
    assert.equal(run.status, 'error');
    assert.match(run.checks[0].message, /KeyError: 'boom'/);
  });

  it('reports a missing interpreter as an error, not a hang', async () => {
    const { labsRoot, lab } = fakeLabs(20);
    const run = await runChecks({ lab, workDir: workDir('pass'), labsRoot, pythonExecutable: '/no/such/python' });
    assert.equal(run.status, 'error');
    assert.match(run.checks[0].message, /ENOENT/);
  });
});
