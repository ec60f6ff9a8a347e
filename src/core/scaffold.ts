/**
 * Plans and applies the file operations of Start Lab and Reset Lab. Planning is pure (given what exists),
 * so the rule that matters — never overwrite the learner's work, back up before a reset — is tested on
 * its own.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Lab } from './catalog';

/** Marks a folder as a started lab; also what `workspaceContains` activation looks for. */
export const LAB_MARKER = '.lab';
export const INSTRUCTIONS_FILE = 'README.md';
export const BACKUPS_FOLDER = '.backups';

export interface FileCopy {
  readonly from: string;
  readonly to: string;
}

export interface StartPlan {
  readonly labDir: string;
  /** True when the learner had already started this lab (its marker or entry file exists). */
  readonly alreadyStarted: boolean;
  /** Files to create; only ever files that do not exist yet. */
  readonly copies: readonly FileCopy[];
  /** Files left as the learner has them. */
  readonly kept: readonly string[];
  readonly entryFile: string;
  readonly instructionsFile: string;
  readonly marker: { readonly path: string; readonly content: string } | undefined;
}

export interface ResetPlan {
  readonly labDir: string;
  readonly backupDir: string;
  /** Learner files to copy into the backup before they are replaced. */
  readonly backups: readonly FileCopy[];
  /** Starter files written over the learner's. */
  readonly restores: readonly FileCopy[];
}

export type Exists = (file: string) => boolean;

function labFiles(lab: Lab): { from: string; relative: string }[] {
  return [
    ...lab.manifest.files.map((file) => ({ from: path.join(lab.dir, 'starter', file), relative: file })),
    { from: path.join(lab.dir, INSTRUCTIONS_FILE), relative: INSTRUCTIONS_FILE },
  ];
}

export function labFolder(labsFolder: string, lab: Lab): string {
  return path.join(labsFolder, lab.manifest.id);
}

export function planStart(lab: Lab, labsFolder: string, exists: Exists, now: Date = new Date()): StartPlan {
  const labDir = labFolder(labsFolder, lab);
  const entryFile = path.join(labDir, lab.manifest.entry);
  const markerPath = path.join(labDir, LAB_MARKER);
  const alreadyStarted = exists(markerPath) || exists(entryFile);
  const copies: FileCopy[] = [];
  const kept: string[] = [];
  for (const file of labFiles(lab)) {
    const to = path.join(labDir, file.relative);
    if (exists(to)) {
      kept.push(to);
    } else {
      copies.push({ from: file.from, to });
    }
  }
  const marker = exists(markerPath)
    ? undefined
    : { path: markerPath, content: JSON.stringify({ lab: lab.manifest.id, started: now.toISOString() }, null, 2) + '\n' };
  return { labDir, alreadyStarted, copies, kept, entryFile, instructionsFile: path.join(labDir, INSTRUCTIONS_FILE), marker };
}

/** A timestamp usable as a folder name on every OS, sortable. */
export function backupStamp(now: Date): string {
  return now.toISOString().replace(/[:.]/g, '-');
}

export function planReset(lab: Lab, labsFolder: string, exists: Exists, now: Date = new Date()): ResetPlan {
  const labDir = labFolder(labsFolder, lab);
  const backupDir = path.join(labsFolder, BACKUPS_FOLDER, lab.manifest.id, backupStamp(now));
  const backups: FileCopy[] = [];
  const restores: FileCopy[] = [];
  for (const file of labFiles(lab)) {
    const to = path.join(labDir, file.relative);
    if (exists(to)) {
      backups.push({ from: to, to: path.join(backupDir, file.relative) });
    }
    restores.push({ from: file.from, to });
  }
  return { labDir, backupDir, backups, restores };
}

function copyFile(copy: FileCopy, overwrite: boolean): void {
  fs.mkdirSync(path.dirname(copy.to), { recursive: true });
  fs.copyFileSync(copy.from, copy.to, overwrite ? 0 : fs.constants.COPYFILE_EXCL);
}

export function applyStart(plan: StartPlan): void {
  fs.mkdirSync(plan.labDir, { recursive: true });
  // COPYFILE_EXCL: if a file appeared since planning, the learner's copy wins and the copy fails loudly.
  for (const copy of plan.copies) {
    copyFile(copy, false);
  }
  if (plan.marker) {
    fs.writeFileSync(plan.marker.path, plan.marker.content, { flag: 'wx' });
  }
}

/** Backs up first; if any backup fails nothing is replaced. */
export function applyReset(plan: ResetPlan): void {
  for (const copy of plan.backups) {
    copyFile(copy, false);
  }
  for (const copy of plan.restores) {
    copyFile(copy, true);
  }
}

export const nodeExists: Exists = (file) => fs.existsSync(file);
