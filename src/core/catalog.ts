/**
 * Reads the labs shipped with the extension from `labs/` at run time, so a new lab folder appears without
 * code changes. A folder with a missing or malformed manifest is reported, and the other labs still load.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LabManifest, parseManifest } from './manifest';
import { PARTS, Part } from './parts';

export interface Lab {
  readonly manifest: LabManifest;
  /** Absolute path of `labs/<id>`. */
  readonly dir: string;
}

export interface CatalogProblem {
  /** The folder (id) the problem belongs to. */
  readonly folder: string;
  /** Absolute path of the file at fault (usually lab.json). */
  readonly file: string;
  readonly field: string;
  readonly message: string;
}

export interface PartGroup {
  readonly part: Part;
  readonly labs: readonly Lab[];
}

export interface Catalog {
  readonly root: string;
  /** Every valid lab, in teaching order (part, then order, then id). */
  readonly labs: readonly Lab[];
  readonly problems: readonly CatalogProblem[];
}

export const MANIFEST_FILE = 'lab.json';

/** Folders under `labs/` that are not labs: the Python runtime and anything private or hidden. */
function isLabFolderName(name: string): boolean {
  return name !== 'labkit' && !name.startsWith('_') && !name.startsWith('.') && name !== '__pycache__';
}

export function loadCatalog(root: string): Catalog {
  const labs: Lab[] = [];
  const problems: CatalogProblem[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch (error) {
    return { root, labs, problems: [{ folder: '', file: root, field: '', message: `cannot read the labs folder: ${(error as Error).message}` }] };
  }
  for (const entry of entries) {
    if (!entry.isDirectory() || !isLabFolderName(entry.name)) {
      continue;
    }
    const dir = path.join(root, entry.name);
    const file = path.join(dir, MANIFEST_FILE);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      problems.push({ folder: entry.name, file, field: '', message: `missing ${MANIFEST_FILE}` });
      continue;
    }
    const result = parseManifest(text, entry.name);
    if (!result.ok) {
      for (const problem of result.problems) {
        problems.push({ folder: entry.name, file, ...problem });
      }
      continue;
    }
    const missing = contentProblems(dir, result.manifest);
    if (missing.length > 0) {
      problems.push(...missing.map((message) => ({ folder: entry.name, file, field: 'files', message })));
      continue;
    }
    labs.push({ manifest: result.manifest, dir });
  }
  labs.sort(compareLabs);
  return { root, labs, problems };
}

/** The files a manifest names must exist, or Start Lab would scaffold half a lab. */
function contentProblems(dir: string, manifest: LabManifest): string[] {
  const messages: string[] = [];
  for (const file of manifest.files) {
    if (!fs.existsSync(path.join(dir, 'starter', file))) {
      messages.push(`starter/${file} is listed in "files" but does not exist`);
    }
  }
  if (!fs.existsSync(path.join(dir, 'checks', 'checks.py'))) {
    messages.push('checks/checks.py does not exist');
  }
  return messages;
}

function compareLabs(a: Lab, b: Lab): number {
  return a.manifest.part - b.manifest.part || a.manifest.order - b.manifest.order || a.manifest.id.localeCompare(b.manifest.id);
}

export function groupByPart(labs: readonly Lab[]): PartGroup[] {
  return PARTS.map((part) => ({ part, labs: labs.filter((lab) => lab.manifest.part === part.number) }));
}

export function findLab(catalog: Catalog, id: string): Lab | undefined {
  return catalog.labs.find((lab) => lab.manifest.id === id);
}

/** The lab after this one in teaching order, for "next lab" offers. */
/** Why this Python cannot run the lab ("needs Python 3.11+, this is 3.9.18"), or undefined when it can. */
export function pythonTooOldFor(lab: Lab, version: readonly number[]): string | undefined {
  const min = lab.manifest.minPython;
  if (!min) {
    return undefined;
  }
  const [major, minor] = min.split('.').map(Number);
  return version[0] < major || (version[0] === major && version[1] < minor) ? `needs Python ${min}+, this is ${version.join('.')}` : undefined;
}

/**
 * The lab to offer after `id`: the first one after it in teaching order that is not passed yet, else the
 * first unpassed one before it (a learner may go out of order). Undefined once every other lab is passed.
 */
export function nextLab(catalog: Catalog, id: string, isPassed: (labId: string) => boolean = () => false): Lab | undefined {
  const index = catalog.labs.findIndex((lab) => lab.manifest.id === id);
  const after = catalog.labs.slice(index + 1);
  const before = index >= 0 ? catalog.labs.slice(0, index) : [];
  return [...after, ...before].find((lab) => lab.manifest.id !== id && !isPassed(lab.manifest.id));
}

export function describeProblem(problem: CatalogProblem): string {
  const field = problem.field ? ` (field "${problem.field}")` : '';
  return `${problem.file}${field}: ${problem.message}`;
}
