/**
 * Snapshots of the learner's lab files, one per Check, in `<labsFolder>/.snapshots/<id>/<n>/`, so an
 * earlier attempt can be restored. The count is bounded (oldest go first) and a Check of unchanged files
 * reuses the latest snapshot instead of piling up copies. Restoring first snapshots the current files, so
 * a restore can itself be undone.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunStatus } from './results';

export const SNAPSHOTS_FOLDER = '.snapshots';
export const SNAPSHOT_META = 'snapshot.json';
export const DEFAULT_SNAPSHOT_LIMIT = 20;

export type SnapshotReason = 'check' | 'beforeRestore';

export interface SnapshotMeta {
  readonly number: number;
  readonly takenAt: string;
  readonly reason: SnapshotReason;
  /** The verdict of the Check that took it, once known. */
  readonly status?: RunStatus;
  readonly passedChecks?: number;
  readonly totalChecks?: number;
  /** Paths relative to the learner's lab folder, `/`-separated. */
  readonly files: readonly string[];
}

export interface Snapshot extends SnapshotMeta {
  readonly dir: string;
}

export interface SnapshotSource {
  readonly labId: string;
  /** The learner's lab folder. */
  readonly learnerDir: string;
  /** Relative paths of the files worth keeping (the lab's `files`). */
  readonly files: readonly string[];
}

export function snapshotsDir(labsFolder: string, labId: string): string {
  return path.join(labsFolder, SNAPSHOTS_FOLDER, labId);
}

/** Snapshot numbers to delete so that at most `limit` remain, oldest first. Pure. */
export function planRotation(numbers: readonly number[], limit: number): number[] {
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted.slice(0, Math.max(0, sorted.length - Math.max(1, limit)));
}

export function nextSnapshotNumber(numbers: readonly number[]): number {
  return numbers.reduce((max, n) => Math.max(max, n), 0) + 1;
}

function readMeta(dir: string): SnapshotMeta | undefined {
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, SNAPSHOT_META), 'utf8')) as SnapshotMeta;
    return Number.isInteger(meta.number) && Array.isArray(meta.files) ? meta : undefined;
  } catch {
    return undefined;
  }
}

function writeMeta(dir: string, meta: SnapshotMeta): void {
  fs.writeFileSync(path.join(dir, SNAPSHOT_META), JSON.stringify(meta, null, 2) + '\n');
}

/** Every readable snapshot of a lab, newest first; a damaged one is left on disk but not offered. */
export function listSnapshots(labsFolder: string, labId: string): Snapshot[] {
  const root = snapshotsDir(labsFolder, labId);
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  return names
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      const dir = path.join(root, name);
      const meta = readMeta(dir);
      return meta && meta.number === Number(name) ? [{ ...meta, dir }] : [];
    })
    .sort((a, b) => b.number - a.number);
}

function existingFiles(source: SnapshotSource): string[] {
  return source.files.filter((file) => fs.existsSync(path.join(source.learnerDir, file)));
}

function sameContent(snapshot: Snapshot, source: SnapshotSource, files: readonly string[]): boolean {
  if (snapshot.files.length !== files.length || !files.every((file) => snapshot.files.includes(file))) {
    return false;
  }
  return files.every((file) => {
    try {
      return fs.readFileSync(path.join(snapshot.dir, file)).equals(fs.readFileSync(path.join(source.learnerDir, file)));
    } catch {
      return false;
    }
  });
}

/**
 * Copies the learner's current files into a new snapshot (or returns the latest one when nothing changed
 * since), then deletes the oldest beyond `limit`. Undefined when there is nothing to keep.
 */
export function takeSnapshot(
  labsFolder: string,
  source: SnapshotSource,
  reason: SnapshotReason,
  limit = DEFAULT_SNAPSHOT_LIMIT,
  now: Date = new Date(),
): Snapshot | undefined {
  const files = existingFiles(source);
  if (files.length === 0) {
    return undefined;
  }
  const existing = listSnapshots(labsFolder, source.labId);
  const latest = existing[0];
  if (latest && sameContent(latest, source, files)) {
    return latest;
  }
  const number = nextSnapshotNumber(existing.map((snapshot) => snapshot.number));
  const dir = path.join(snapshotsDir(labsFolder, source.labId), String(number));
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(source.learnerDir, file), path.join(dir, file));
  }
  const meta: SnapshotMeta = { number, takenAt: now.toISOString(), reason, files };
  // The meta file goes last: a snapshot without it (a crash half-way) is never offered for restore.
  writeMeta(dir, meta);
  for (const old of planRotation([...existing.map((snapshot) => snapshot.number), number], limit)) {
    fs.rmSync(path.join(snapshotsDir(labsFolder, source.labId), String(old)), { recursive: true, force: true });
  }
  return { ...meta, dir };
}

/** Notes the verdict of the Check a snapshot was taken for, so the restore list can show it. */
export function recordSnapshotResult(snapshot: Snapshot, status: RunStatus, passedChecks: number, totalChecks: number): Snapshot {
  const { dir, ...meta } = snapshot;
  const next: SnapshotMeta = { ...meta, status, passedChecks, totalChecks };
  writeMeta(dir, next);
  return { ...next, dir };
}

export interface RestoreResult {
  /** The snapshot of the files as they were just before the restore (undefined when there were none). */
  readonly saved: Snapshot | undefined;
  readonly restored: readonly string[];
}

/**
 * Puts a snapshot's files back into the learner's folder, after snapshotting the current files so that
 * nothing the learner wrote is lost. Files the snapshot does not have are left alone.
 */
export function restoreSnapshot(labsFolder: string, source: SnapshotSource, snapshot: Snapshot, limit = DEFAULT_SNAPSHOT_LIMIT, now: Date = new Date()): RestoreResult {
  // Keep the snapshot being restored out of rotation's reach while the "before" copy is added.
  const saved = takeSnapshot(labsFolder, source, 'beforeRestore', Math.max(limit, listSnapshots(labsFolder, source.labId).length + 1), now);
  for (const file of snapshot.files) {
    const to = path.join(source.learnerDir, file);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(snapshot.dir, file), to);
  }
  return { saved, restored: snapshot.files };
}
