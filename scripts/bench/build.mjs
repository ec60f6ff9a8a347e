// What the bench needs built, from a clean clone after `npm ci`: the production bundles and the VSIX
// (scripts/package.mjs, copied aside so another build cannot swap it mid-run), and the core compiled to
// out/ (tsc), which the Python figures and the timeline harness load.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageVsix } from '../../test/e2e/lib/session.mjs';
import { ROOT } from '../lib/codeServer.mjs';

const NEEDED = ['out/src/core/runner.js', 'out/src/core/verify.js', 'out/src/host/timeline/timelineHtml.js', 'dist/webview/timeline.js'];

export function build(scratch, log) {
  log('build: node scripts/package.mjs (minified bundles, VSIX)');
  const vsix = packageVsix(scratch);
  log('build: tsc -p . (core, for the Python figures and the timeline harness)');
  const compiled = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  const missing = NEEDED.filter((file) => !existsSync(join(ROOT, file)));
  if (missing.length > 0) {
    throw new Error(`the build left out ${missing.join(', ')}:\n${compiled.stdout}${compiled.stderr}`);
  }
  if (compiled.status !== 0) {
    // tsc still writes its output on type errors; a tree mid-edit by someone else should not stop the bench.
    log(`build: tsc reported errors (the compiled output is used anyway):\n${`${compiled.stdout}${compiled.stderr}`.trim().split('\n').slice(0, 5).join('\n')}`);
  }
  return { vsix };
}
