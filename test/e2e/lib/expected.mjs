// What the scenario expects to see, taken from the product's own sources rather than written twice:
// the catalog as the CLI lists it, and the lab's manifest and starter as packaged.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../../scripts/lib/codeServer.mjs';

/** The curriculum's four parts, as the Labs view names them (README, design notes). */
export const PARTS = [
  { number: 1, numeral: 'I', title: 'Futures' },
  { number: 2, numeral: 'II', title: 'Threads' },
  { number: 3, numeral: 'III', title: 'Async I/O' },
  { number: 4, numeral: 'IV', title: 'Parallelism' },
];

/** The lab this scenario lives through. */
export const LAB_ID = 'thread-race';

/** `node dist/cli.js list --json`: every lab the packaged extension offers, in teaching order. */
export function listLabs() {
  const result = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'list', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) {
    throw new Error(`node dist/cli.js list --json failed (exit ${result.status}):\n${result.stderr}`);
  }
  const listed = JSON.parse(result.stdout);
  if (listed.problems?.length > 0) {
    throw new Error(`the catalog has problems: ${JSON.stringify(listed.problems)}`);
  }
  return [...listed.labs].sort((a, b) => a.part - b.part || a.order - b.order);
}

export function loadLab(id) {
  const dir = join(ROOT, 'labs', id);
  const manifest = JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8'));
  const starter = readFileSync(join(dir, 'starter', manifest.entry), 'utf8');
  return { dir, manifest, starter };
}
