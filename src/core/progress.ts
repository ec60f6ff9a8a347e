/**
 * The learner's progress per workspace, in `<labsFolder>/.progress.json`: which labs were started, how
 * many Checks, the last verdict, which hints were seen. It survives reloads and drives the tree. A
 * damaged file is set aside (never silently lost) and progress starts again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunStatus } from './results';

export const PROGRESS_FILE = '.progress.json';

export type LabStatus = 'notStarted' | 'inProgress' | 'passed' | 'failed';

export interface LabProgress {
  readonly started?: string;
  readonly attempts: number;
  readonly failedAttempts: number;
  readonly lastStatus?: RunStatus;
  readonly passed?: string;
  readonly hintsSeen: number;
}

interface ProgressFile {
  readonly version: 1;
  readonly labs: Record<string, LabProgress>;
}

const EMPTY: LabProgress = { attempts: 0, failedAttempts: 0, hintsSeen: 0 };

export function statusOf(progress: LabProgress | undefined, folderExists: boolean): LabStatus {
  // A lab whose folder the learner deleted can simply be started again.
  if (!folderExists) {
    return 'notStarted';
  }
  if (progress?.lastStatus === 'passed') {
    return 'passed';
  }
  return progress?.lastStatus ? 'failed' : 'inProgress';
}

export class ProgressStore {
  private data: ProgressFile = { version: 1, labs: {} };
  /** Set when the file on disk could not be read and was moved aside. */
  warning: string | undefined;

  constructor(private readonly labsFolder: string) {
    this.load();
  }

  get file(): string {
    return path.join(this.labsFolder, PROGRESS_FILE);
  }

  private load(): void {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return;
    }
    try {
      const parsed = JSON.parse(text) as ProgressFile;
      if (parsed?.version === 1 && typeof parsed.labs === 'object' && parsed.labs !== null) {
        this.data = { version: 1, labs: Object.fromEntries(Object.entries(parsed.labs).map(([id, value]) => [id, { ...EMPTY, ...value }])) };
        return;
      }
    } catch {
      // fall through: set the damaged file aside below
    }
    const aside = `${this.file}.damaged-${Date.now()}`;
    try {
      fs.renameSync(this.file, aside);
    } catch {
      // leave it; it will be overwritten only by the next save
    }
    this.warning = `Your progress file could not be read and was moved to ${aside}; progress starts again from your lab folders.`;
  }

  get(id: string): LabProgress {
    return this.data.labs[id] ?? EMPTY;
  }

  update(id: string, change: (current: LabProgress) => LabProgress): LabProgress {
    const next = change(this.get(id));
    this.data = { version: 1, labs: { ...this.data.labs, [id]: next } };
    this.save();
    return next;
  }

  markStarted(id: string, now = new Date()): void {
    this.update(id, (current) => (current.started ? current : { ...current, started: now.toISOString() }));
  }

  recordCheck(id: string, status: RunStatus, now = new Date()): LabProgress {
    return this.update(id, (current) => ({
      ...current,
      started: current.started ?? now.toISOString(),
      attempts: current.attempts + 1,
      failedAttempts: current.failedAttempts + (status === 'passed' ? 0 : 1),
      lastStatus: status,
      ...(status === 'passed' && !current.passed ? { passed: now.toISOString() } : {}),
    }));
  }

  /** Marks the first `count` hints as seen (never fewer than before, never more than `total`). */
  markHintsSeen(id: string, count: number, total: number): number {
    return this.update(id, (current) => ({ ...current, hintsSeen: Math.min(total, Math.max(current.hintsSeen, count)) })).hintsSeen;
  }

  /** Reveals one more hint (up to `total`) and returns how many are now seen. */
  revealHint(id: string, total: number): number {
    return this.update(id, (current) => ({ ...current, hintsSeen: Math.min(total, current.hintsSeen + 1) })).hintsSeen;
  }

  private save(): void {
    fs.mkdirSync(this.labsFolder, { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(this.data, null, 2) + '\n');
    fs.renameSync(temporary, this.file);
  }
}
