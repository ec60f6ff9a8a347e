/**
 * Whether a lab can run from the learner's folder, and what to say when it cannot (the folder was deleted
 * or renamed, the entry file is gone). Pure apart from the `exists` it is given.
 */
import * as path from 'node:path';

export type LabFolderProblem =
  | { readonly kind: 'noWorkspace' }
  | { readonly kind: 'notStarted' }
  | { readonly kind: 'folderMissing'; readonly dir: string }
  | { readonly kind: 'entryMissing'; readonly file: string };

/** `wasStarted`: the progress file remembers a Start, so a missing folder was deleted or renamed. */
export function labFolderProblem(learnerDir: string | undefined, entry: string, exists: (file: string) => boolean, wasStarted: boolean): LabFolderProblem | undefined {
  if (!learnerDir) {
    return { kind: 'noWorkspace' };
  }
  if (!exists(learnerDir)) {
    return wasStarted ? { kind: 'folderMissing', dir: learnerDir } : { kind: 'notStarted' };
  }
  const file = path.join(learnerDir, entry);
  return exists(file) ? undefined : { kind: 'entryMissing', file };
}

export function describeLabFolderProblem(problem: LabFolderProblem, title: string, hasSnapshots: boolean): string {
  switch (problem.kind) {
    case 'noWorkspace':
      return `"${title}" runs from a folder in your workspace. Open a folder, then Start Lab.`;
    case 'notStarted':
      return `"${title}" is not started yet. Start Lab copies its starter files into your workspace; then edit them and Check.`;
    case 'folderMissing':
      return (
        `The folder of "${title}" (${problem.dir}) is gone: it was deleted, moved or renamed. ` +
        `If you renamed it, rename it back to "${path.basename(problem.dir)}"; otherwise Start Lab copies fresh starter files` +
        (hasSnapshots ? ', and Restore Attempt… brings back the files of an earlier Check.' : '.')
      );
    case 'entryMissing':
      return (
        `${path.basename(problem.file)} is missing from "${title}" (${path.dirname(problem.file)}). ` +
        'Start Lab puts a fresh starter copy back and keeps your other files' +
        (hasSnapshots ? '; Restore Attempt… brings back your own version from an earlier Check.' : '.')
      );
  }
}
