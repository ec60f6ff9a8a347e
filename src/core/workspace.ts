/** Where a learner's labs live in their workspace, and which lab a file belongs to. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LAB_MARKER } from './scaffold';

export const DEFAULT_LABS_FOLDER = 'concurrency-labs';

export interface LabsFolder {
  readonly path: string;
  /** Set when the configured name was unusable and the default was used instead. */
  readonly warning?: string;
}

/** Resolves the configured labs folder inside the workspace; a path that escapes it falls back to the default. */
export function resolveLabsFolder(workspaceRoot: string, configured: string | undefined): LabsFolder {
  const name = (configured ?? '').trim() || DEFAULT_LABS_FOLDER;
  const resolved = path.resolve(workspaceRoot, name);
  const relative = path.relative(workspaceRoot, resolved);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    return {
      path: path.join(workspaceRoot, DEFAULT_LABS_FOLDER),
      warning: `The labs folder "${name}" is not a folder inside the workspace; using "${DEFAULT_LABS_FOLDER}" instead. Change the setting concurrencyLabs.labsFolder.`,
    };
  }
  return { path: resolved };
}

/** The lab id a file belongs to, when it is inside `<labsFolder>/<id>/`. */
export function labIdForFile(labsFolder: string, file: string): string | undefined {
  const relative = path.relative(labsFolder, file);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    return undefined;
  }
  const [first, ...rest] = relative.split(path.sep);
  return rest.length > 0 && !first.startsWith('.') ? first : undefined;
}

/**
 * A lab folder given on the command line may be the lab itself (it has the marker) or a workspace that
 * holds it under the labs folder.
 */
export function learnerLabDir(dir: string, labId: string, labsFolderName = DEFAULT_LABS_FOLDER): string {
  const marker = path.join(dir, LAB_MARKER);
  if (fs.existsSync(marker)) {
    return dir;
  }
  return path.join(dir, labsFolderName, labId);
}
