/**
 * File work behind the timeline panel, kept free of the `vscode` module so it is unit-tested: reading a
 * trace into a run snapshot (a problem message instead of an exception), and finding the learner's file
 * that a clicked span points at.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { TraceProblem, tooLarge, unreadable } from '../../core/timeline/traceProblem';
import { RunSnapshot } from '../../shared/timelineProtocol';

/** Past this the webview would stall for seconds; the recorder's cap keeps real runs far below it. */
export const MAX_TRACE_MB = 256;

export interface TraceSource {
  /** Absolute path of the Chrome Trace Event JSON file. */
  readonly path: string;
  /** Shown above the run; defaults to the file name. */
  readonly label?: string;
  /** The learner's lab folder: relative `args.file` values are looked up here first. */
  readonly sourceRoot?: string;
}

function errorText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'it does not exist: the run may not have written it';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder, not a file';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

function snapshotProblem(id: string, label: string, problem: TraceProblem): RunSnapshot {
  return { id, label, problem: { message: problem.message, advice: problem.advice } };
}

export function labelOf(source: TraceSource): string {
  return source.label ?? path.basename(source.path);
}

/** The run as the webview receives it: the file's text, or a message saying why there is none. */
export async function readRun(id: string, source: TraceSource, maxMegabytes = MAX_TRACE_MB): Promise<RunSnapshot> {
  const label = labelOf(source);
  try {
    const stat = await fs.stat(source.path);
    const megabytes = Math.ceil(stat.size / (1024 * 1024));
    if (stat.isFile() && stat.size > maxMegabytes * 1024 * 1024) {
      return snapshotProblem(id, label, tooLarge(source.path, megabytes, maxMegabytes));
    }
    return { id, label, text: await fs.readFile(source.path, 'utf8') };
  } catch (error) {
    return snapshotProblem(id, label, unreadable(source.path, errorText(error)));
  }
}

/**
 * Where to look for a file a span names: as written if absolute, else under the learner's lab folder,
 * the root the trace recorded, and the trace's own folder, in that order.
 */
export function sourceCandidates(file: string, roots: readonly (string | undefined)[]): string[] {
  if (path.isAbsolute(file)) {
    return [path.normalize(file)];
  }
  const seen = new Set<string>();
  for (const root of roots) {
    if (root) {
      seen.add(path.resolve(root, file));
    }
  }
  return [...seen];
}

export async function findSource(file: string, roots: readonly (string | undefined)[]): Promise<string | undefined> {
  for (const candidate of sourceCandidates(file, roots)) {
    try {
      if ((await fs.stat(candidate)).isFile()) {
        return candidate;
      }
    } catch {
      // Not here: try the next root.
    }
  }
  return undefined;
}
