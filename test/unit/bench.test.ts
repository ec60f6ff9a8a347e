import * as assert from 'node:assert/strict';
import * as path from 'node:path';

// The bench is plain ES modules under scripts/bench; these are the pure parts of it.
const BENCH = path.resolve(__dirname, '..', '..', '..', 'scripts', 'bench');

interface Summary {
  median: number | null;
  min: number | null;
  max: number | null;
  samples: number[];
}
interface Row extends Summary {
  figure: string;
  unit: string;
  target?: { max: number };
  error?: string;
}
interface Stats {
  median(values: number[]): number | null;
  summarize(samples: unknown[]): Summary;
  differences(a: number[], b: number[]): number[];
  ratios(a: number[], b: number[]): number[];
  interleave(
    runs: number,
    a: (index: number) => Promise<number>,
    b: (index: number) => Promise<number>,
    options?: { more(samples: { a: number[]; b: number[] }): boolean; maxRuns: number },
  ): Promise<{ a: number[]; b: number[] }>;
}
interface Report {
  row(group: string, figure: string, unit: string, samples: number[], options?: { target?: { max: number } }): Row;
  failedRow(group: string, figure: string, unit: string, error: unknown, target?: { max: number }): Row;
  verdict(row: Row): string;
  formatValue(value: number | null, unit: string): string;
  formatTable(rows: Row[]): string;
  tally(rows: Row[]): { met: number; missed: number; unmeasured: number };
}
interface Options {
  FIGURES: string[];
  parseOptions(argv: string[]): { out: string; runs: number; only: string[]; python?: string };
}
interface Zip {
  zipEntries(buffer: Buffer): { name: string; size: number; compressedSize: number }[];
}
interface CheckOverhead {
  breakdown(wallMs: number, profile: object): Record<string, number>;
  formatProfiles(profiles: { id: string; profile: Record<string, number> | { error: string } }[]): string;
}

/** A zip as a VSIX tool writes it: stored entries, then the central directory and its end record. */
function makeZip(files: { name: string; body: string }[], comment = ''): Buffer {
  const locals: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name);
    const body = Buffer.from(file.body);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(body.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt32LE(body.length, 20);
    entry.writeUInt32LE(body.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    directory.push(entry, name);
    offset += 30 + name.length + body.length;
  }
  const directorySize = directory.reduce((sum, part) => sum + part.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directorySize, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(Buffer.byteLength(comment), 20);
  return Buffer.concat([...locals, ...directory, end, Buffer.from(comment)]);
}

describe('bench', () => {
  let stats: Stats;
  let report: Report;
  let options: Options;
  let zip: Zip;
  let checkOverhead: CheckOverhead;

  before(async () => {
    stats = await import(path.join(BENCH, 'stats.mjs'));
    report = await import(path.join(BENCH, 'report.mjs'));
    options = await import(path.join(BENCH, 'options.mjs'));
    zip = await import(path.join(BENCH, 'zip.mjs'));
    checkOverhead = await import(path.join(BENCH, 'checkOverhead.mjs'));
  });

  describe('stats', () => {
    it('takes the median of odd and even counts without reordering the input', () => {
      const values = [9, 1, 5];
      assert.equal(stats.median(values), 5);
      assert.deepEqual(values, [9, 1, 5]);
      assert.equal(stats.median([4, 1, 3, 2]), 2.5);
      assert.equal(stats.median([]), null);
    });

    it('summarizes numbers only, and says null when nothing was measured', () => {
      assert.deepEqual(stats.summarize([3, Number.NaN, 1, undefined, 2]), { median: 2, min: 1, max: 3, samples: [3, 1, 2] });
      assert.deepEqual(stats.summarize([]), { median: null, min: null, max: null, samples: [] });
    });

    it('pairs differences and ratios run by run, and refuses unpaired samples', () => {
      assert.deepEqual(stats.differences([10, 20], [4, 25]), [6, -5]);
      assert.deepEqual(stats.ratios([3, 10], [2, 5]), [1.5, 2]);
      assert.throws(() => stats.ratios([1], [1, 2]), /differ in length/);
    });

    it('interleaves A and B after one warm-up of each, alternating which goes first', async () => {
      const order: string[] = [];
      const result = await stats.interleave(
        3,
        async (index) => {
          order.push(`a${index}`);
          return index;
        },
        async (index) => {
          order.push(`b${index}`);
          return index * 10;
        },
      );
      assert.deepEqual(order, ['a-1', 'b-1', 'a0', 'b0', 'b1', 'a1', 'a2', 'b2']);
      assert.deepEqual(result, { a: [0, 1, 2], b: [0, 10, 20] });
    });

    it('adds pairs while asked to, never past the most runs allowed', async () => {
      const short = await stats.interleave(2, async () => 1, async () => 2, { more: ({ b }) => b.reduce((x, y) => x + y, 0) < 7, maxRuns: 10 });
      assert.deepEqual(short, { a: [1, 1, 1, 1], b: [2, 2, 2, 2] });
      const capped = await stats.interleave(2, async () => 1, async () => 2, { more: () => true, maxRuns: 5 });
      assert.equal(capped.b.length, 5);
    });
  });

  describe('report', () => {
    it('judges the median against the target; a reference has no verdict, a failure is marked', () => {
      assert.equal(report.verdict(report.row('g', 'fast', 'ms', [10, 40, 20], { target: { max: 30 } })), '✓');
      assert.equal(report.verdict(report.row('g', 'slow', 'ms', [10, 40, 31], { target: { max: 30 } })), '✗');
      assert.equal(report.verdict(report.row('g', 'edge', 'x', [1.1], { target: { max: 1.1 } })), '✓');
      assert.equal(report.verdict(report.row('g', 'ref', 'ms', [5])), '');
      const failed = report.failedRow('g', 'broken', 'ms', new Error('no code-server\nstack line'), { max: 30 });
      assert.equal(report.verdict(failed), '?');
      assert.equal(failed.error, 'no code-server');
    });

    it('formats each unit as a reader expects it', () => {
      assert.equal(report.formatValue(4.26, 'ms'), '4.3 ms');
      assert.equal(report.formatValue(412.6, 'ms'), '413 ms');
      assert.equal(report.formatValue(-212.2, 'ms'), '-212 ms');
      assert.equal(report.formatValue(68.24, 'KB'), '68.2 KB');
      assert.equal(report.formatValue(1.104, 'x'), '1.10x');
      assert.equal(report.formatValue(0, 'errors'), '0 errors');
      assert.equal(report.formatValue(null, 'ms'), '–');
    });

    it('prints one aligned line per row, the reason under a figure that was not measured, and counts', () => {
      const rows = [
        report.row('g', 'Start Lab', 'ms', [250, 120, 300], { target: { max: 300 } }),
        report.row('g', '  reference', 'ms', [58]),
        report.failedRow('g', 'activation', 'ms', 'code-server did not start', { max: 30 }),
        report.row('g', 'recorder', 'x', [1.3, 1.2], { target: { max: 1.1 } }),
      ];
      const lines = report.formatTable(rows).split('\n');
      assert.match(lines[0], /^figure\s+median\s+min\s+max\s+target$/);
      assert.match(lines[2], /^Start Lab\s+250 ms\s+120 ms\s+300 ms\s+≤ 300 ms\s+✓$/);
      assert.match(lines[3], /^ {2}reference\s+58 ms\s+58 ms\s+58 ms$/);
      assert.match(lines[4], /^activation\s+–\s+–\s+–\s+≤ 30 ms\s+\?$/);
      assert.equal(lines[5], '    not measured: code-server did not start');
      assert.match(lines[6], /1\.25x\s+1\.20x\s+1\.30x\s+≤ 1\.10x\s+✗$/);
      // Every row's columns line up with the header's.
      const verdictColumn = lines[0].length;
      assert.ok([lines[2], lines[4], lines[6]].every((line) => line.length === verdictColumn + 3), lines.join('\n'));
      assert.deepEqual(report.tally(rows), { met: 1, missed: 1, unmeasured: 1 });
    });
  });

  describe('options', () => {
    it('defaults to every figure, 5 runs and bench-results/bench.json', () => {
      assert.deepEqual(options.parseOptions([]), { out: 'bench-results/bench.json', runs: 5, only: options.FIGURES, python: undefined, help: false });
    });

    it('keeps the bench order whatever order --only names the figures in', () => {
      const parsed = options.parseOptions(['--only', 'start-lab, bundle', '--runs', '7', '--out', 'x.json']);
      assert.deepEqual(parsed.only, ['bundle', 'start-lab']);
      assert.equal(parsed.runs, 7);
      assert.equal(parsed.out, 'x.json');
    });

    it('says what to type instead of a bad option', () => {
      assert.throws(() => options.parseOptions(['--runs', '2.5']), /--runs takes a whole number of 1 or more, not "2.5"/);
      assert.throws(() => options.parseOptions(['--runs', '0']), /--runs takes a whole number/);
      assert.throws(() => options.parseOptions(['--only', 'bundle,speed']), /--only takes figures from: bundle, .* \(unknown: speed\)/);
      assert.throws(() => options.parseOptions(['--fast']), /Unknown option '--fast'/);
    });
  });

  describe('zip', () => {
    it('lists the entries of a zip with their sizes, past a trailing comment', () => {
      const buffer = makeZip([
        { name: 'extension/package.json', body: '{}' },
        { name: 'extension/dist/extension.js', body: 'x'.repeat(1000) },
      ], 'a comment');
      assert.deepEqual(zip.zipEntries(buffer), [
        { name: 'extension/package.json', compressedSize: 2, size: 2 },
        { name: 'extension/dist/extension.js', compressedSize: 1000, size: 1000 },
      ]);
    });

    it('says so when the file is no zip, or its directory is cut short', () => {
      assert.throws(() => zip.zipEntries(Buffer.from('not a zip at all, just some text here')), /not a zip file/);
      const whole = makeZip([{ name: 'a', body: 'b' }]);
      const broken = Buffer.from(whole);
      broken.writeUInt32LE(0, whole.length - 22 - 47);
      assert.throws(() => zip.zipEntries(broken), /central directory entry 1 of 1 is missing/);
    });
  });

  describe('Check profile', () => {
    it('splits the wall time into parts that add up to it', () => {
      const profile = { startup: 0.05, imports: 0.1, checksModule: 0.01, server: 0.02, runs: [{ seconds: 0.5, programSeconds: 0.4 }, { seconds: 0.3, programSeconds: null }], total: 1.0 };
      const parts = checkOverhead.breakdown(1200, profile);
      assert.equal(parts.childRuns, 2);
      assert.ok(Math.abs(parts.programMs - 400) < 1e-9);
      assert.ok(Math.abs(parts.childOverheadMs - 400) < 1e-9);
      assert.ok(Math.abs(parts.checkLogicMs - 70) < 1e-9);
      assert.ok(Math.abs(parts.exitMs - 150) < 1e-9);
      const sum = ['startupMs', 'importsMs', 'checksModuleMs', 'serverMs', 'childOverheadMs', 'checkLogicMs', 'exitMs', 'programMs'].reduce((total, key) => total + parts[key], 0);
      assert.ok(Math.abs(sum - parts.wallMs) < 1e-9, `${sum} vs ${parts.wallMs}`);
      const table = checkOverhead.formatProfiles([{ id: 'thread-race', profile: parts }, { id: 'cpu-parallel', profile: { error: 'no profile' } }]).split('\n');
      assert.match(table[2], /^thread-race\s+50\s+100\s+10\s+20\s+400\s+70\s+150\s+400\s+1200\s+2$/);
      assert.equal(table[3], 'cpu-parallel: not profiled: no profile');
    });
  });
});
