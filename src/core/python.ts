/**
 * Finds a Python 3.9+ to run checks with. The real executable (`sys.executable`) is resolved once and
 * reused: through a pyenv shim `python3 -c pass` took 89 ms here against 35 ms for the real binary.
 */
import * as os from 'node:os';
import { runToCompletion } from './processes';

export const MIN_PYTHON: readonly [number, number] = [3, 9];

export interface PythonCommand {
  readonly command: string;
  readonly args: readonly string[];
}

export interface Python {
  /** The interpreter's own path, to spawn directly. */
  readonly executable: string;
  readonly version: readonly [number, number, number];
  /** What found it, for messages ("setting concurrencyLabs.pythonPath", "python3 on PATH"). */
  readonly source: string;
  /** Why earlier candidates were passed over ("… is Python 3.8.18; the labs need 3.9 or newer"), to say so. */
  readonly passedOver?: readonly string[];
}

export type PythonProblemKind = 'notFound' | 'tooOld' | 'broken';

export class PythonProblem extends Error {
  constructor(
    readonly kind: PythonProblemKind,
    message: string,
  ) {
    super(message);
    this.name = 'PythonProblem';
  }
}

export interface Candidate extends PythonCommand {
  readonly source: string;
}

export function versionText(version: readonly number[]): string {
  return version.join('.');
}

export function isSupported(version: readonly number[]): boolean {
  return version[0] > MIN_PYTHON[0] || (version[0] === MIN_PYTHON[0] && version[1] >= MIN_PYTHON[1]);
}

/** The candidates tried in order: what the user chose first, then what a fresh machine usually has. */
export function defaultCandidates(explicit: readonly Candidate[], platform: NodeJS.Platform = process.platform): Candidate[] {
  const fromPath: Candidate[] =
    platform === 'win32'
      ? [
          { command: 'py', args: ['-3'], source: 'py -3 (the Python launcher)' },
          { command: 'python', args: [], source: 'python on PATH' },
          { command: 'python3', args: [], source: 'python3 on PATH' },
        ]
      : [
          { command: 'python3', args: [], source: 'python3 on PATH' },
          { command: 'python', args: [], source: 'python on PATH' },
        ];
  return [...explicit, ...fromPath];
}

const PROBE = 'import sys, json; print(json.dumps({"executable": sys.executable, "version": list(sys.version_info[:3])}))';

async function probe(candidate: Candidate): Promise<Python | PythonProblem> {
  const result = await runToCompletion(candidate.command, [...candidate.args, '-c', PROBE], os.tmpdir(), 15000);
  if (result.error || result.code !== 0) {
    const why = result.error ? result.error.message : (result.stderr.trim().split('\n').pop() ?? `exit code ${result.code}`);
    return new PythonProblem('notFound', `${candidate.source} (${candidate.command}) did not run: ${why}`);
  }
  try {
    const info = JSON.parse(result.stdout.trim().split('\n').pop() ?? '') as { executable: string; version: [number, number, number] };
    const version = info.version;
    if (!isSupported(version)) {
      return new PythonProblem('tooOld', `${candidate.source} is Python ${versionText(version)}; the labs need Python ${versionText(MIN_PYTHON)} or newer`);
    }
    return { executable: info.executable || candidate.command, version, source: candidate.source };
  } catch {
    return new PythonProblem('broken', `${candidate.source} (${candidate.command}) did not answer like Python 3`);
  }
}

/**
 * The first candidate that is a supported Python. An explicitly chosen interpreter that is missing or too
 * old is an error of its own (the user asked for it), not silently skipped.
 */
export async function findPython(candidates: readonly Candidate[], explicitCount = 0): Promise<Python> {
  const problems: PythonProblem[] = [];
  for (const [index, candidate] of candidates.entries()) {
    const found = await probe(candidate);
    if (!(found instanceof PythonProblem)) {
      return problems.length ? { ...found, passedOver: problems.map((problem) => problem.message) } : found;
    }
    if (index < explicitCount) {
      throw new PythonProblem(found.kind, `${found.message}. Install Python ${versionText(MIN_PYTHON)}+ or change that setting.`);
    }
    problems.push(found);
  }
  const tooOld = problems.find((problem) => problem.kind === 'tooOld');
  if (tooOld) {
    throw new PythonProblem('tooOld', `${tooOld.message}. Install Python ${versionText(MIN_PYTHON)} or newer, or set concurrencyLabs.pythonPath to one.`);
  }
  throw new PythonProblem(
    'notFound',
    `No Python ${versionText(MIN_PYTHON)}+ was found (tried ${candidates.map((candidate) => candidate.source).join(', ')}). ` +
      'Install Python from python.org or your package manager, or set concurrencyLabs.pythonPath to its path.',
  );
}
