import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../src/cli';
import { tempDir } from './fixtures';

const labsRoot = path.resolve(__dirname, '..', '..', '..', 'labs');

/** Runs the CLI in-process and collects what it printed (console.log, and process.stdout.write for --json). */
async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = console.log;
  const write = process.stdout.write;
  console.log = (...parts: unknown[]) => lines.push(parts.join(' '));
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await main(args), out: lines.join('\n') };
  } finally {
    console.log = log;
    process.stdout.write = write;
  }
}

/** A program that answers the interpreter probe as Python 3.9.18 would. */
function python39(): string {
  const file = path.join(tempDir(), 'python3');
  fs.writeFileSync(file, `#!/bin/sh\necho '{"executable": "${file}", "version": [3, 9, 18]}'\n`, { mode: 0o755 });
  return file;
}

describe('the concurrency-labs CLI', () => {
  const saved = process.env.CONCURRENCY_LABS_ROOT;
  before(() => {
    process.env.CONCURRENCY_LABS_ROOT = labsRoot;
  });
  after(() => {
    if (saved === undefined) {
      delete process.env.CONCURRENCY_LABS_ROOT;
    } else {
      process.env.CONCURRENCY_LABS_ROOT = saved;
    }
  });

  it('hint shows one hint at a time and names the next', async () => {
    const { code, out } = await cli('hint', 'thread-race', '2');
    assert.equal(code, 0);
    assert.match(out, /^Hint 2 of 4 — /);
    assert.match(out, /concurrency-labs hint thread-race 3$/);
    assert.doesNotMatch(out, /queue\.join\(\)/, 'hint 4 stays hidden');
    await assert.rejects(cli('hint', 'thread-race', '9'), /thread-race has hints 1 to 4/);
  });

  it('start says how to run the labkit commands of the instructions', async () => {
    const { code, out } = await cli('start', 'flags-sequential', '--dir', tempDir());
    assert.equal(code, 0);
    assert.ok(out.includes(`export PYTHONPATH="${labsRoot}"`), out);
  });

  it('check --json of a lab with no entry file still prints every check, as an error that says what to do', async () => {
    const dir = tempDir();
    await cli('start', 'flags-sequential', '--dir', dir);
    fs.rmSync(path.join(dir, 'concurrency-labs', 'flags-sequential', 'flags.py'));
    const { code, out } = await cli('check', 'flags-sequential', '--dir', dir, '--json', '--python', '/no/such/python');
    assert.equal(code, 2);
    const report = JSON.parse(out.slice(out.indexOf('{'))) as { status: string; checks: { id: string; status: string; message: string; file: string | null; line: number | null }[] };
    assert.equal(report.status, 'error');
    assert.deepEqual(report.checks.map((check) => check.id), ['saves-all-flags', 'prints-sorted-codes', 'one-at-a-time', 'prints-summary']);
    for (const check of report.checks) {
      assert.equal(check.status, 'error');
      assert.match(check.message, /flags\.py is missing\. Restore it, or start over with: concurrency-labs start flags-sequential/);
      assert.equal(check.file, 'flags.py');
      assert.equal(check.line, null);
    }
    const notStarted = await cli('check', 'flags-sequential', '--dir', tempDir(), '--json');
    assert.equal(notStarted.code, 2);
    assert.match(notStarted.out, /the lab is not started in .*Run: concurrency-labs start flags-sequential/);
    // Without --json it stays a usage error, told on stderr.
    await assert.rejects(cli('check', 'flags-sequential', '--dir', dir), /flags\.py is missing/);
  });

  it('check of a lab that needs a newer Python says so and how to choose one, before running anything', async () => {
    const dir = tempDir();
    await cli('start', 'asyncio-taskgroup', '--dir', dir);
    await assert.rejects(cli('check', 'asyncio-taskgroup', '--dir', dir, '--python', python39()), /needs Python 3\.11\+, this is 3\.9\.18.*--python/);
  });
});
