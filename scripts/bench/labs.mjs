// What the Python-side figures share: the product's own core (compiled to out/ by the bench's build) for
// the catalog, the Python lookup, the runner's environment and the solution folders; the flag server as
// a learner starts it by hand; and timed child processes.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT } from '../lib/codeServer.mjs';

export const LABS_ROOT = join(ROOT, 'labs');
const require = createRequire(import.meta.url);

/** A module of src/core as compiled by `tsc -p .`; the bench builds it before any figure runs. */
export function core(name) {
  return require(join(ROOT, 'out', 'src', 'core', `${name}.js`));
}

/** The labs the catalog offers, in teaching order, with `skip` set on those this Python cannot run. */
export function labsFor(python) {
  const { loadCatalog, describeProblem } = core('catalog');
  const catalog = loadCatalog(LABS_ROOT);
  if (catalog.problems.length > 0) {
    throw new Error(`the catalog has problems: ${catalog.problems.map(describeProblem).join('; ')}`);
  }
  return [...catalog.labs]
    .sort((a, b) => a.manifest.part - b.manifest.part || a.manifest.order - b.manifest.order)
    .map((lab) => {
      const min = lab.manifest.minPython?.split('.').map(Number);
      const tooOld = min && (python.version[0] < min[0] || (python.version[0] === min[0] && python.version[1] < min[1]));
      return { lab, ...(tooOld ? { skip: `needs Python ${lab.manifest.minPython}+` } : {}) };
    });
}

/** The real interpreter behind `explicit` or python3/python on PATH (never a shim on every spawn). */
export async function resolvePython(explicit) {
  const { defaultCandidates, findPython } = core('python');
  const chosen = explicit ? [{ command: explicit, args: [], source: '--python' }] : [];
  return findPython(defaultCandidates(chosen), chosen.length);
}

/** The environment the runner gives Python (PYTHONPATH to labs/, UTF-8, no bytecode writes). */
export function pythonEnv(extra = {}) {
  return { ...core('runner').runnerEnv(LABS_ROOT), ...extra };
}

/**
 * Runs a command to its end; resolves with { ms, code, stdout, stderr }, ms from spawn to exit as the
 * parent sees it. Rejects when it exits non-zero unless `allowFailure`, naming the command and its output.
 */
export function timed(command, args, { cwd, env, timeoutMs = 120_000, allowFailure = false } = {}) {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${command} could not start: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - began;
      if ((code !== 0 && !allowFailure) || signal) {
        const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-8).join('\n');
        reject(new Error(`${[command, ...args].join(' ')} ${signal ? `was killed (${signal}) after ${Math.round(ms)} ms` : `exited with ${code}`}:\n${tail}`));
        return;
      }
      resolve({ ms, code, stdout, stderr });
    });
  });
}

/**
 * Starts `python -m labkit.flagserver` on 127.0.0.1 with a lab's flagServer settings, as Run with Timeline
 * does; resolves once it prints its URL, with { url, startMs, stop() }. startMs runs from spawn to that line.
 */
export function startFlagServer(python, spec) {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const child = spawn(python, core('runScript').flagServerArgs(spec), { cwd: LABS_ROOT, env: pythonEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const stop = () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`the flag server printed no URL within 30 s:\n${output}`));
    }, 30_000);
    const onData = (chunk) => {
      output += chunk;
      const url = core('runScript').parseFlagServerUrl(output);
      if (url) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve({ url, startMs: performance.now() - began, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`the flag server could not start: ${error.message}`));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the flag server exited with ${code} before it printed its URL:\n${output}`));
    });
  });
}

/**
 * Calls `body({ workDir, env })` with the lab's reference solution in a fresh folder (as Start Lab lays
 * it out) and, for a lab with a flag server, one started with the lab's settings and named in FLAGS_URL.
 */
export async function withSolution(python, lab, scratch, body) {
  const workDir = core('verify').materialize(lab, 'solution', scratch);
  const spec = lab.manifest.flagServer;
  const server = spec ? await startFlagServer(python, spec) : undefined;
  try {
    return await body({ workDir, env: pythonEnv(server ? { FLAGS_URL: server.url } : {}) });
  } finally {
    server?.stop();
  }
}
