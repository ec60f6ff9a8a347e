/**
 * The lab manifest (`labs/<id>/lab.json`, docs/lab-format.md) and its validation. Validation collects
 * every problem with the field it concerns, so an author sees all of them at once.
 */
export interface CheckSpec {
  readonly id: string;
  readonly title: string;
  /** 1-based index into the lab's hints that fits this check's failure. */
  readonly hint?: number;
  /** The starter must fail this check on every run, not only on most (a race the checks provoke), so
   * `verify` holds each starter run to it. */
  readonly starterFails?: boolean;
}

export interface FlagServerSpec {
  readonly delaySeconds: number;
  readonly errorCodes: readonly string[];
  /** Fixed delays of chosen codes, so completion order differs from request order. */
  readonly delayByCode?: Readonly<Record<string, number>>;
}

export interface LabManifest {
  readonly schemaVersion: 1;
  readonly id: string;
  readonly title: string;
  readonly part: 1 | 2 | 3 | 4;
  readonly order: number;
  readonly description: string;
  readonly summary: string;
  readonly entry: string;
  readonly files: readonly string[];
  readonly hints: readonly string[];
  readonly checks: readonly CheckSpec[];
  readonly timeLimitSeconds: number;
  readonly minPython?: string;
  readonly flagServer?: FlagServerSpec;
  readonly timeline?: { readonly functions: readonly string[] };
}

export interface ManifestProblem {
  /** Dotted path of the field, e.g. `checks[2].id`; empty for the whole file. */
  readonly field: string;
  readonly message: string;
}

export type ManifestResult =
  | { readonly ok: true; readonly manifest: LabManifest }
  | { readonly ok: false; readonly problems: readonly ManifestProblem[] };

const ID_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const VERSION_PATTERN = /^3\.\d+$/;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A relative path that stays inside the lab folder (no `..`, not absolute). */
function isSafeRelativePath(path: string): boolean {
  if (path.length === 0 || path.startsWith('/') || path.startsWith('\\') || /^[a-zA-Z]:/.test(path)) {
    return false;
  }
  return path.split(/[\\/]/).every((segment) => segment !== '..' && segment !== '');
}

export function parseManifest(text: string, folderName: string): ManifestResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [{ field: '', message: `not valid JSON: ${(error as Error).message}` }] };
  }
  return validateManifest(data, folderName);
}

export function validateManifest(data: unknown, folderName: string): ManifestResult {
  const problems: ManifestProblem[] = [];
  const problem = (field: string, message: string): void => {
    problems.push({ field, message });
  };
  if (!isObject(data)) {
    return { ok: false, problems: [{ field: '', message: 'must be a JSON object' }] };
  }

  const text = (field: string, required = true): string | undefined => {
    const value = data[field];
    if (value === undefined && !required) {
      return undefined;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      problem(field, 'must be a non-empty string');
      return undefined;
    }
    return value;
  };
  const positiveNumber = (field: string, integer: boolean): number | undefined => {
    const value = data[field];
    if (typeof value !== 'number' || !(value > 0) || (integer && !Number.isInteger(value))) {
      problem(field, `must be a positive ${integer ? 'integer' : 'number'}`);
      return undefined;
    }
    return value;
  };

  if (data.schemaVersion !== 1) {
    problem('schemaVersion', `must be 1 (this version of Concurrency Labs reads schema 1), got ${JSON.stringify(data.schemaVersion)}`);
  }
  const id = text('id');
  if (id !== undefined && !ID_PATTERN.test(id)) {
    problem('id', 'must be lower-case words joined by hyphens, like "thread-race"');
  } else if (id !== undefined && id !== folderName) {
    problem('id', `must match the folder name "${folderName}", got "${id}"`);
  }
  const title = text('title');
  const part = data.part;
  if (part !== 1 && part !== 2 && part !== 3 && part !== 4) {
    problem('part', 'must be 1 (Futures), 2 (Threads), 3 (Async I/O) or 4 (Parallelism)');
  }
  const order = positiveNumber('order', true);
  const description = text('description');
  const summary = text('summary');
  const entry = text('entry');
  if (entry !== undefined && !isSafeRelativePath(entry)) {
    problem('entry', 'must be a relative path inside the lab folder');
  }

  const files = data.files;
  if (!Array.isArray(files) || files.length === 0) {
    problem('files', 'must be a non-empty list of starter file paths');
  } else {
    files.forEach((file, index) => {
      if (typeof file !== 'string' || !isSafeRelativePath(file)) {
        problem(`files[${index}]`, 'must be a relative path inside the lab folder');
      }
    });
    if (entry !== undefined && !files.includes(entry)) {
      problem('files', `must include the entry file "${entry}"`);
    }
  }

  const hints = data.hints;
  if (!Array.isArray(hints) || hints.length === 0) {
    problem('hints', 'must be a non-empty list of hints');
  } else {
    hints.forEach((hint, index) => {
      if (typeof hint !== 'string' || hint.trim() === '') {
        problem(`hints[${index}]`, 'must be a non-empty string');
      }
    });
  }
  const hintCount = Array.isArray(hints) ? hints.length : 0;

  const checks = data.checks;
  const seenIds = new Set<string>();
  if (!Array.isArray(checks) || checks.length === 0) {
    problem('checks', 'must be a non-empty list of {"id", "title"}');
  } else {
    checks.forEach((check, index) => {
      const at = `checks[${index}]`;
      if (!isObject(check)) {
        problem(at, 'must be an object with "id" and "title"');
        return;
      }
      if (typeof check.id !== 'string' || !ID_PATTERN.test(check.id)) {
        problem(`${at}.id`, 'must be lower-case words joined by hyphens');
      } else if (seenIds.has(check.id)) {
        problem(`${at}.id`, `"${check.id}" is used by another check`);
      } else {
        seenIds.add(check.id);
      }
      if (typeof check.title !== 'string' || check.title.trim() === '') {
        problem(`${at}.title`, 'must be a non-empty string');
      }
      if (check.hint !== undefined && (!Number.isInteger(check.hint) || (check.hint as number) < 1 || (check.hint as number) > hintCount)) {
        problem(`${at}.hint`, `must be a hint number from 1 to ${hintCount}`);
      }
      if (check.starterFails !== undefined && typeof check.starterFails !== 'boolean') {
        problem(`${at}.starterFails`, 'must be true or false');
      }
    });
  }

  const timeLimitSeconds = positiveNumber('timeLimitSeconds', false);
  const minPython = text('minPython', false);
  if (minPython !== undefined && !VERSION_PATTERN.test(minPython)) {
    problem('minPython', 'must look like "3.11"');
  }

  let flagServer: FlagServerSpec | undefined;
  if (data.flagServer !== undefined) {
    const spec = data.flagServer;
    if (!isObject(spec)) {
      problem('flagServer', 'must be an object with "delaySeconds" and optional "errorCodes"');
    } else {
      const delay = spec.delaySeconds;
      if (typeof delay !== 'number' || delay < 0) {
        problem('flagServer.delaySeconds', 'must be a number of seconds, 0 or more');
      }
      const codes = spec.errorCodes ?? [];
      if (!Array.isArray(codes) || !codes.every((code) => typeof code === 'string' && /^[A-Z]{2,3}$/.test(code))) {
        problem('flagServer.errorCodes', 'must be a list of upper-case country codes like "EG"');
      }
      const byCode = spec.delayByCode ?? {};
      if (!isObject(byCode) || !Object.entries(byCode).every(([code, seconds]) => /^[A-Z]{2,3}$/.test(code) && typeof seconds === 'number' && seconds >= 0)) {
        problem('flagServer.delayByCode', 'must map upper-case country codes to seconds, 0 or more, like { "BD": 0.5 }');
      }
      flagServer = { delaySeconds: delay as number, errorCodes: codes as string[], ...(spec.delayByCode !== undefined ? { delayByCode: byCode as Record<string, number> } : {}) };
    }
  }

  let timeline: { functions: string[] } | undefined;
  if (data.timeline !== undefined) {
    const functions = isObject(data.timeline) ? data.timeline.functions : undefined;
    if (!Array.isArray(functions) || !functions.every((name) => typeof name === 'string' && /^[A-Za-z_][\w.]*$/.test(name))) {
      problem('timeline.functions', 'must be a list of Python function names');
    } else {
      timeline = { functions: functions as string[] };
    }
  }

  if (problems.length > 0) {
    return { ok: false, problems };
  }
  return {
    ok: true,
    manifest: {
      schemaVersion: 1,
      id: id!,
      title: title!,
      part: part as 1 | 2 | 3 | 4,
      order: order!,
      description: description!,
      summary: summary!,
      entry: entry!,
      files: files as string[],
      hints: hints as string[],
      checks: (checks as Json[]).map((check) => ({
        id: check.id as string,
        title: check.title as string,
        ...(check.hint !== undefined ? { hint: check.hint as number } : {}),
        ...(check.starterFails === true ? { starterFails: true } : {}),
      })),
      timeLimitSeconds: timeLimitSeconds!,
      ...(minPython !== undefined ? { minPython } : {}),
      ...(flagServer !== undefined ? { flagServer } : {}),
      ...(timeline !== undefined ? { timeline } : {}),
    },
  };
}
