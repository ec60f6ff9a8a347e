/**
 * The one place that starts and stops child processes: no shell, an explicit cwd, and a kill that takes
 * the whole tree (process pools and the learner's own children leave processes behind otherwise).
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';

export interface StartOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
}

const isWindows = process.platform === 'win32';

export function startProcess(command: string, args: readonly string[], options: StartOptions): ChildProcess {
  return spawn(command, [...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    shell: false,
    windowsHide: true,
    // Its own process group, so one signal reaches every descendant.
    detached: !isWindows,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Kills the process and every process it started. Safe to call more than once or after it exited. */
export function killTree(child: ChildProcess): void {
  if (child.pid === undefined) {
    return;
  }
  if (isWindows) {
    spawnSync('taskkill', ['/pid', String(child.pid), '/T', '/F'], { windowsHide: true });
    return;
  }
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}

export interface Completed {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly error?: Error;
}

/** Runs a short command to completion (for probing interpreters). */
export function runToCompletion(command: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<Completed> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = startProcess(command, args, { cwd });
    } catch (error) {
      resolve({ code: null, stdout: '', stderr: '', error: error as Error });
      return;
    }
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => killTree(child), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr, error });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
