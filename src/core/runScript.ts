/**
 * Run with Timeline: runs the learner's entry file under labkit's launcher and recorder, with no checks,
 * streaming what it prints. Talks to labkit only through its command lines (`python -m labkit.launch`,
 * `python -m labkit.flagserver`), with the lab's time limit and a kill of the whole process tree on
 * time-out or Stop.
 */
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FlagServerSpec, LabManifest } from './manifest';
import { killTree, startProcess, supervise } from './processes';
import { runnerEnv } from './runner';

export type OutputStream = 'stdout' | 'stderr';

export interface ScriptRequest {
  readonly manifest: LabManifest;
  /** The learner's lab folder: the cwd, and where the entry file is. */
  readonly workDir: string;
  /** The `labs/` folder that holds labkit. */
  readonly labsRoot: string;
  readonly pythonExecutable: string;
  /** Where the timeline goes; undefined runs without the recorder. */
  readonly tracePath?: string;
  /** Extra seconds after the lab's limit before the core kills the tree (the launcher stops itself first). */
  readonly graceSeconds?: number;
  readonly onOutput?: (text: string, stream: OutputStream) => void;
  readonly signal?: AbortSignal;
}

export type ScriptStatus = 'exited' | 'timedOut' | 'cancelled' | 'failedToStart';

export interface ScriptRun {
  readonly status: ScriptStatus;
  readonly exitCode: number | null;
  readonly durationMs: number;
  /** Set only when the trace file was written. */
  readonly tracePath?: string;
  /** The flag server's address the program was given, when the lab has one. */
  readonly flagsUrl?: string;
  /** Why it could not start, for `failedToStart`. */
  readonly problem?: string;
}

/** How long the flag server may take to say where it listens. */
const FLAG_SERVER_START_MS = 15000;
const FLAG_SERVER_LINE = /running at (http:\/\/127\.0\.0\.1:\d+\/\S*)/;

/** The launcher's arguments. Pure, so the command line is tested on its own. */
export function launchArgs(manifest: LabManifest, workDir: string, tracePath: string | undefined): string[] {
  const args = ['-m', 'labkit.launch', '--timeout', String(manifest.timeLimitSeconds)];
  if (tracePath) {
    args.push('--trace', tracePath, '--functions', (manifest.timeline?.functions ?? []).join(','));
  }
  args.push(path.join(workDir, manifest.entry));
  return args;
}

export function flagServerArgs(spec: FlagServerSpec): string[] {
  const args = ['-m', 'labkit.flagserver', '--delay', String(spec.delaySeconds), '--errors', spec.errorCodes.join(',')];
  const byCode = Object.entries(spec.delayByCode ?? {});
  if (byCode.length > 0) {
    args.push('--delay-by-code', byCode.map(([code, seconds]) => `${code}=${seconds}`).join(','));
  }
  return args;
}

/** The base URL in the flag server's first line of output, or undefined if this is not that line. */
export function parseFlagServerUrl(text: string): string | undefined {
  return FLAG_SERVER_LINE.exec(text)?.[1];
}

interface FlagServer {
  readonly url: string;
  readonly child: ChildProcess;
}

/** Starts labkit's flag server and waits for the line that names its address. */
function startFlagServer(request: ScriptRequest, spec: FlagServerSpec): Promise<FlagServer> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = startProcess(request.pythonExecutable, flagServerArgs(spec), { cwd: request.workDir, env: runnerEnv(request.labsRoot) });
    } catch (error) {
      reject(error as Error);
      return;
    }
    let seen = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', abort);
      killTree(child);
      reject(new Error(why));
    };
    const abort = (): void => fail('stopped');
    const timer = setTimeout(() => fail(`the flag server did not start within ${FLAG_SERVER_START_MS / 1000} s:\n${seen.trim()}`), FLAG_SERVER_START_MS);
    request.signal?.addEventListener('abort', abort, { once: true });
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('utf8');
      const url = parseFlagServerUrl(seen);
      if (url) {
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', abort);
        child.stdout?.removeListener('data', onData);
        // Keep draining its output so a chatty server never blocks on a full pipe.
        child.stdout?.resume();
        resolve({ url, child });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (seen += chunk.toString('utf8')));
    child.on('error', (error) => fail(`the flag server could not start: ${error.message}`));
    child.on('close', (code) => fail(`the flag server stopped at once (exit code ${code}):\n${seen.trim()}`));
  });
}

async function runLauncher(request: ScriptRequest, env: NodeJS.ProcessEnv): Promise<{ code: number | null; timedOut: boolean; cancelled: boolean; problem?: string }> {
  let child: ChildProcess;
  try {
    child = startProcess(request.pythonExecutable, launchArgs(request.manifest, request.workDir, request.tracePath), { cwd: request.workDir, env });
  } catch (error) {
    return { code: null, timedOut: false, cancelled: false, problem: (error as Error).message };
  }
  child.stdout?.on('data', (chunk: Buffer) => request.onOutput?.(chunk.toString('utf8'), 'stdout'));
  child.stderr?.on('data', (chunk: Buffer) => request.onOutput?.(chunk.toString('utf8'), 'stderr'));
  // The launcher dumps every thread's stack and exits at the limit; this is the backstop if it cannot.
  const ended = await supervise(child, { limitMs: (request.manifest.timeLimitSeconds + (request.graceSeconds ?? 5)) * 1000, signal: request.signal });
  return { code: ended.code, timedOut: ended.timedOut, cancelled: ended.cancelled, ...(ended.error !== undefined ? { problem: ended.error } : {}) };
}

/** faulthandler's "Timeout (0:00:45)!" header: the launcher hit the lab's limit and dumped the stacks. */
export function launcherTimedOut(stderr: string): boolean {
  return /^Timeout \(\d+:\d\d:\d\d(\.\d+)?\)!/m.test(stderr);
}

export async function runScript(request: ScriptRequest): Promise<ScriptRun> {
  const started = Date.now();
  const elapsed = (): number => Date.now() - started;
  if (request.tracePath) {
    fs.mkdirSync(path.dirname(request.tracePath), { recursive: true });
    // A stale trace from an earlier run must never pass for this run's.
    fs.rmSync(request.tracePath, { force: true });
  }
  let server: FlagServer | undefined;
  if (request.manifest.flagServer) {
    try {
      server = await startFlagServer(request, request.manifest.flagServer);
    } catch (error) {
      const message = (error as Error).message;
      return message === 'stopped'
        ? { status: 'cancelled', exitCode: null, durationMs: elapsed() }
        : { status: 'failedToStart', exitCode: null, durationMs: elapsed(), problem: message };
    }
  }
  // On Stop or deactivation the server goes at once, not after the program's output has drained: the
  // extension host may not live that long.
  const stopServer = (): void => {
    if (server) {
      killTree(server.child);
    }
  };
  request.signal?.addEventListener('abort', stopServer, { once: true });
  let stderr = '';
  const env: NodeJS.ProcessEnv = { ...runnerEnv(request.labsRoot), PYTHONUNBUFFERED: '1' };
  if (server) {
    env.FLAGS_URL = server.url;
  } else {
    delete env.FLAGS_URL;
  }
  try {
    const ended = await runLauncher(
      {
        ...request,
        onOutput: (text, stream) => {
          if (stream === 'stderr') {
            stderr += text;
          }
          request.onOutput?.(text, stream);
        },
      },
      env,
    );
    const traced = request.tracePath && fs.existsSync(request.tracePath) ? { tracePath: request.tracePath } : {};
    const base = { exitCode: ended.code, durationMs: elapsed(), ...traced, ...(server ? { flagsUrl: server.url } : {}) };
    if (ended.problem && ended.code === null && !ended.cancelled) {
      return { ...base, status: 'failedToStart', problem: ended.problem };
    }
    if (ended.cancelled) {
      return { ...base, status: 'cancelled' };
    }
    return { ...base, status: ended.timedOut || launcherTimedOut(stderr) ? 'timedOut' : 'exited' };
  } finally {
    request.signal?.removeEventListener('abort', stopServer);
    if (server) {
      await stopAndWait(server.child);
    }
  }
}

/** Kills a process tree and waits (briefly) until it is gone, so its port is free when the run returns. */
function stopAndWait(child: ChildProcess, ms = 3000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const timer = setTimeout(resolve, ms);
    child.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    killTree(child);
  });
}
