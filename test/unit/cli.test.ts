import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../src/cli';
import { tempDir } from './fixtures';

const labsRoot = path.resolve(__dirname, '..', '..', '..', 'labs');

/** Runs the CLI in-process and collects what it printed. */
async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => lines.push(parts.join(' '));
  try {
    return { code: await main(args), out: lines.join('\n') };
  } finally {
    console.log = log;
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

  it('check of a lab that needs a newer Python says so and how to choose one, before running anything', async () => {
    const dir = tempDir();
    await cli('start', 'asyncio-taskgroup', '--dir', dir);
    await assert.rejects(cli('check', 'asyncio-taskgroup', '--dir', dir, '--python', python39()), /needs Python 3\.11\+, this is 3\.9\.18.*--python/);
  });
});
