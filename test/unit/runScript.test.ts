/**
 * Run with Timeline's process part against the real labkit launcher and flag server: the program's output
 * streams back, the flag server's address reaches it, and every process is gone after a time-out or Stop.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { LabManifest } from '../../src/core/manifest';
import { defaultCandidates, findPython } from '../../src/core/python';
import { flagServerArgs, launchArgs, launcherTimedOut, parseFlagServerUrl, runScript } from '../../src/core/runScript';
import { tempDir, waitGone } from './fixtures';

const labsRoot = path.resolve(__dirname, '..', '..', '..', 'labs');

function manifest(overrides: Partial<LabManifest> = {}): LabManifest {
  return {
    schemaVersion: 1,
    id: 'demo',
    title: 'Demo',
    part: 1,
    order: 1,
    description: 'd',
    summary: 's',
    entry: 'main.py',
    files: ['main.py'],
    hints: ['h1', 'h2'],
    checks: [{ id: 'works', title: 'Works' }],
    timeLimitSeconds: 20,
    ...overrides,
  };
}

function program(source: string): string {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'main.py'), source);
  return dir;
}

function portOpen(url: string): Promise<boolean> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitForFile(file: string, ms = 10000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fs.existsSync(file) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const SPAWN_AND_HANG = `
import os, subprocess, sys, threading
child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])
with open('child.pid', 'w') as f:
    f.write(str(child.pid))
print('waiting forever', flush=True)
threading.Event().wait()
`;

describe('runScript (Run with Timeline)', function () {
  this.timeout(60000);
  let python: string;

  before(async () => {
    python = (await findPython(defaultCandidates([]))).executable;
  });

  it('builds the launcher and flag-server command lines from the manifest', () => {
    const withTimeline = manifest({ timeline: { functions: ['get_flag', 'save_flag'] } });
    assert.deepEqual(launchArgs(withTimeline, '/w', '/t/trace.json'), [
      '-m', 'labkit.launch', '--timeout', '20', '--trace', '/t/trace.json', '--functions', 'get_flag,save_flag', path.join('/w', 'main.py'),
    ]);
    assert.deepEqual(launchArgs(manifest(), '/w', undefined), ['-m', 'labkit.launch', '--timeout', '20', path.join('/w', 'main.py')]);
    assert.deepEqual(flagServerArgs({ delaySeconds: 0.1, errorCodes: ['EG', 'IR'] }), ['-m', 'labkit.flagserver', '--delay', '0.1', '--errors', 'EG,IR']);
    assert.deepEqual(flagServerArgs({ delaySeconds: 0.1, errorCodes: [], delayByCode: { BD: 0.5, IN: 0.3 } }), [
      '-m', 'labkit.flagserver', '--delay', '0.1', '--errors', '', '--delay-by-code', 'BD=0.5,IN=0.3',
    ]);
  });

  it('reads the flag server address and faulthandler time-outs from their output', () => {
    assert.equal(parseFlagServerUrl('Flag server running at http://127.0.0.1:41234/flags  (delay 0.1 s, errors: none)\n'), 'http://127.0.0.1:41234/flags');
    assert.equal(parseFlagServerUrl('Could not listen on 127.0.0.1:80'), undefined);
    assert.equal(launcherTimedOut('some output\nTimeout (0:00:05)!\nThread 0x01 (most recent call first):\n'), true);
    assert.equal(launcherTimedOut('Timeout is a word'), false);
  });

  it('streams the program output and reports its exit code', async () => {
    const dir = program('import os, sys\nprint("hello", os.environ.get("FLAGS_URL"))\nprint("oops", file=sys.stderr)\nsys.exit(3)\n');
    const streams = { stdout: '', stderr: '' };
    const run = await runScript({ manifest: manifest(), workDir: dir, labsRoot, pythonExecutable: python, onOutput: (text, stream) => (streams[stream] += text) });
    assert.equal(run.status, 'exited');
    assert.equal(run.exitCode, 3);
    assert.equal(run.flagsUrl, undefined);
    assert.equal(streams.stdout, 'hello None\n', 'no flag server, no FLAGS_URL');
    assert.equal(streams.stderr, 'oops\n');
  });

  it('gives the program a flag server on loopback and stops it afterwards', async () => {
    const dir = program(
      'import os, urllib.request\nbase = os.environ["FLAGS_URL"]\n' +
        'with urllib.request.urlopen(f"{base}/BR/br.gif") as r:\n    print("got", r.status, r.read()[:3])\n',
    );
    let output = '';
    const run = await runScript({
      manifest: manifest({ flagServer: { delaySeconds: 0, errorCodes: [] } }),
      workDir: dir,
      labsRoot,
      pythonExecutable: python,
      onOutput: (text) => (output += text),
    });
    assert.equal(run.status, 'exited', output);
    assert.match(output, /got 200 b'GIF'/);
    assert.ok(run.flagsUrl?.startsWith('http://127.0.0.1:'));
    assert.equal(await portOpen(run.flagsUrl!), false, 'the flag server is gone with the run');
  });

  it('at the time limit reports the waiting stacks and leaves no process behind', async () => {
    const dir = program(SPAWN_AND_HANG);
    let output = '';
    const run = await runScript({ manifest: manifest({ timeLimitSeconds: 1 }), workDir: dir, labsRoot, pythonExecutable: python, graceSeconds: 5, onOutput: (text) => (output += text) });
    assert.equal(run.status, 'timedOut');
    assert.match(output, /waiting forever/);
    assert.match(output, /main\.py", line 7/, 'faulthandler shows the line the main thread waits at');
    assert.ok(await waitGone(Number(fs.readFileSync(path.join(dir, 'child.pid'), 'utf8'))), 'the program’s own child is killed too');
  });

  it('Stop kills the whole tree and the flag server', async () => {
    const dir = program(SPAWN_AND_HANG);
    const controller = new AbortController();
    const lab = manifest({ timeLimitSeconds: 60, flagServer: { delaySeconds: 0, errorCodes: [] } });
    const pending = runScript({ manifest: lab, workDir: dir, labsRoot, pythonExecutable: python, signal: controller.signal });
    await waitForFile(path.join(dir, 'child.pid'));
    controller.abort();
    const run = await pending;
    assert.equal(run.status, 'cancelled');
    assert.ok(await waitGone(Number(fs.readFileSync(path.join(dir, 'child.pid'), 'utf8'))));
    assert.equal(await portOpen(run.flagsUrl!), false);
  });

  it('a trace path reports only a timeline this run wrote', async () => {
    const dir = program('print("traced")\n');
    const tracePath = path.join(tempDir(), 'nested', 'trace.json');
    fs.mkdirSync(path.dirname(tracePath), { recursive: true });
    fs.writeFileSync(tracePath, 'stale');
    const run = await runScript({ manifest: manifest(), workDir: dir, labsRoot, pythonExecutable: python, tracePath });
    assert.equal(run.status, 'exited');
    if (run.tracePath) {
      const trace = JSON.parse(fs.readFileSync(run.tracePath, 'utf8')) as { traceEvents?: unknown[] };
      assert.ok(Array.isArray(trace.traceEvents), 'a fresh Chrome trace');
    } else {
      assert.equal(fs.existsSync(tracePath), false, 'the stale file is gone, never passed off as this run’s');
    }
  });

  it('a missing interpreter is a clear failure to start', async () => {
    const run = await runScript({ manifest: manifest(), workDir: program('pass\n'), labsRoot, pythonExecutable: '/no/such/python' });
    assert.equal(run.status, 'failedToStart');
    assert.match(run.problem ?? '', /ENOENT/);
  });
});
