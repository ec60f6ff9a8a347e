/**
 * Runs a lab's hidden checks: spawns `python -m labkit.runner` (docs/lab-format.md), follows its results
 * file as it grows (so a front end can show each check as it ends), and enforces the lab's time limit by
 * killing the whole process tree.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Lab } from './catalog';
import { Supervised, startProcess, supervise } from './processes';
import { LineSplitter, RunOutcome, RunnerEvent, parseEvent, summarize } from './results';

export interface CheckRequest {
  readonly lab: Lab;
  /** The learner's copy of the lab (cwd of the run). */
  readonly workDir: string;
  /** The `labs/` folder that holds labkit. */
  readonly labsRoot: string;
  readonly pythonExecutable: string;
  /** Where to write the run's timeline, or undefined for none. */
  readonly tracePath?: string;
  readonly only?: readonly string[];
  /** Extra seconds on top of the lab's limit before the core steps in (the runner has its own limits). */
  readonly graceSeconds?: number;
  readonly onEvent?: (event: RunnerEvent) => void;
  /** Called with everything the runner prints that is not protocol (the learner's output goes in results). */
  readonly onOutput?: (text: string) => void;
  readonly signal?: AbortSignal;
}

export interface CheckRun extends RunOutcome {
  readonly stderr: string;
}

const POLL_MS = 50;

export function runnerEnv(labsRoot: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const pythonPath = [labsRoot, base.PYTHONPATH].filter(Boolean).join(path.delimiter);
  return { ...base, PYTHONPATH: pythonPath, PYTHONUTF8: '1', PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8' };
}

export async function runChecks(request: CheckRequest): Promise<CheckRun> {
  const { lab } = request;
  const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'concurrency-labs-'));
  const resultsFile = path.join(resultsDir, 'results.jsonl');
  fs.writeFileSync(resultsFile, '');
  const args = ['-m', 'labkit.runner', '--lab', lab.dir, '--work', request.workDir, '--results', resultsFile];
  if (request.tracePath) {
    args.push('--trace', request.tracePath);
  }
  if (request.only && request.only.length > 0) {
    args.push('--only', request.only.join(','));
  }

  const started = Date.now();
  const events: RunnerEvent[] = [];
  const splitter = new LineSplitter();
  let offset = 0;
  const drain = (final: boolean): void => {
    let text = '';
    try {
      const fd = fs.openSync(resultsFile, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        if (size > offset) {
          const buffer = Buffer.alloc(size - offset);
          fs.readSync(fd, buffer, 0, buffer.length, offset);
          offset = size;
          text = buffer.toString('utf8');
        }
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return;
    }
    const lines = [...splitter.push(text), ...(final ? splitter.flush() : [])];
    for (const line of lines) {
      const event = parseEvent(line);
      if (event) {
        events.push(event);
        request.onEvent?.(event);
      }
    }
  };

  let stderr = '';
  let ended: Supervised;
  let child: ReturnType<typeof startProcess> | undefined;
  try {
    child = startProcess(request.pythonExecutable, args, { cwd: request.workDir, env: runnerEnv(request.labsRoot) });
  } catch (error) {
    stderr = (error as Error).message;
  }
  if (child) {
    const onOutput = (chunk: Buffer): void => request.onOutput?.(chunk.toString('utf8'));
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      onOutput(chunk);
    });
    const poll = setInterval(() => drain(false), POLL_MS);
    ended = await supervise(child, { limitMs: (lab.manifest.timeLimitSeconds + (request.graceSeconds ?? 5)) * 1000, signal: request.signal });
    clearInterval(poll);
    stderr += ended.error ?? '';
  } else {
    ended = { code: null, timedOut: false, cancelled: false };
  }
  const { timedOut, cancelled, code: exitCode } = ended;
  drain(true);
  fs.rmSync(resultsDir, { recursive: true, force: true });

  const outcome = summarize(lab.manifest.checks, events, {
    timedOut,
    cancelled,
    exitCode,
    stderr,
    timeLimitSeconds: lab.manifest.timeLimitSeconds,
    durationMs: Date.now() - started,
  });
  return { ...outcome, stderr };
}
