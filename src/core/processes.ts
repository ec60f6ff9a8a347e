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
  // labkit starts each learner program in a session of its own (so it can kill it), which the group
  // signal below does not reach: find those descendants first, while they are still linked to us.
  const running = child.exitCode === null && child.signalCode === null;
  const groups = [child.pid, ...(running ? descendantsOf(child.pid) : [])];
  for (const pid of groups) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // Not a group leader, or already gone.
      }
    }
  }
}

/** Every process below `root`, from `ps` (POSIX); empty when `ps` is unavailable. */
function descendantsOf(root: number): number[] {
  const listing = spawnSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8', timeout: 5000 });
  if (listing.status !== 0 || typeof listing.stdout !== 'string') {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const line of listing.stdout.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (Number.isInteger(pid) && Number.isInteger(ppid)) {
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    }
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const pid of children.get(queue.shift()!) ?? []) {
      found.push(pid);
      queue.push(pid);
    }
  }
  return found;
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

export interface Supervision {
  /** Milliseconds after which the whole tree is killed and the run counts as timed out. */
  readonly limitMs: number;
  readonly signal?: AbortSignal;
}

export interface Supervised {
  readonly code: number | null;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  /** Why the process could not run (e.g. ENOENT for a missing interpreter). */
  readonly error?: string;
}

/**
 * Waits for a child to end, killing its whole tree at the time limit or when the signal aborts. The tree
 * also goes as soon as the child itself exits: leftover children (pool workers, the learner's threads'
 * subprocesses) would keep its output pipes open, so 'close' would wait for them.
 */
export function supervise(child: ChildProcess, supervision: Supervision): Promise<Supervised> {
  return new Promise((resolve) => {
    let timedOut = false;
    let cancelled = false;
    let error: string | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killTree(child);
    }, supervision.limitMs);
    const abort = (): void => {
      cancelled = true;
      killTree(child);
    };
    supervision.signal?.addEventListener('abort', abort, { once: true });
    if (supervision.signal?.aborted) {
      abort();
    }
    const finish = (code: number | null): void => {
      clearTimeout(timer);
      supervision.signal?.removeEventListener('abort', abort);
      killTree(child);
      resolve({ code, timedOut, cancelled, ...(error !== undefined ? { error } : {}) });
    };
    child.on('error', (reason) => {
      error = reason.message;
      finish(null);
    });
    child.on('exit', () => killTree(child));
    child.on('close', finish);
  });
}
