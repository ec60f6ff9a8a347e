/** Builds throw-away lab folders for tests. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export function tempDir(prefix = 'cl-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function validManifest(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 1,
    id,
    title: `Lab ${id}`,
    part: 1,
    order: 1,
    description: 'a short line',
    summary: 'A longer summary.',
    entry: 'main.py',
    files: ['main.py'],
    hints: ['first', 'second'],
    checks: [
      { id: 'works', title: 'It works', hint: 1 },
      { id: 'fast', title: 'It is fast' },
    ],
    timeLimitSeconds: 10,
    ...overrides,
  };
}

/** Writes labs/<id> with a manifest (object or raw text), a starter, a solution, checks and a README. */
export function writeLab(root: string, id: string, manifest: Record<string, unknown> | string | null = validManifest(id)): string {
  const dir = path.join(root, id);
  fs.mkdirSync(path.join(dir, 'starter'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'solution'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'checks'), { recursive: true });
  if (manifest !== null) {
    fs.writeFileSync(path.join(dir, 'lab.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  }
  fs.writeFileSync(path.join(dir, 'starter', 'main.py'), 'print("starter")\n');
  fs.writeFileSync(path.join(dir, 'solution', 'main.py'), 'print("solution")\n');
  fs.writeFileSync(path.join(dir, 'checks', 'checks.py'), '# checks\n');
  fs.writeFileSync(path.join(dir, 'README.md'), `# ${id}\n`);
  return dir;
}

/** True while the process runs; a zombie (killed, not yet reaped by init) counts as gone. */
export function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Waits up to `ms` for a process to be gone. */
export async function waitGone(pid: number, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !isRunning(pid);
}
