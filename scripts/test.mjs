// The one test command (`npm test`, called by .ci/run): every suite in order, each one's own output shown,
// then one line `N passed, N failed` over all of them, so a run that executed nothing is visible.
// Options: --only a,b  run only these suites · --skip a,b  leave these out · --list  name the suites
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './lib/codeServer.mjs';

const { values } = parseArgs({ options: { only: { type: 'string' }, skip: { type: 'string' }, list: { type: 'boolean', default: false } } });

/** Every Python 3.9+ this machine has besides the default python3 (pyenv's, else the usual system paths),
 * one per minor version, so the labs are verified on each and labkit's own tests run on the oldest and the
 * newest too: the recorder takes another path on 3.12+ (sys.monitoring) than on 3.9-3.11. */
function otherPythons() {
  const found = new Map();
  const pyenvRoot = process.env.PYENV_ROOT ?? join(homedir(), '.pyenv');
  const versions = join(pyenvRoot, 'versions');
  if (existsSync(versions)) {
    for (const name of readdirSync(versions)) {
      const match = /^3\.(\d+)\.\d+$/.exec(name);
      const file = join(versions, name, 'bin', 'python3');
      if (match && Number(match[1]) >= 9 && existsSync(file) && !found.has(Number(match[1]))) {
        found.set(Number(match[1]), file);
      }
    }
  }
  for (let minor = 9; minor <= 13; minor += 1) {
    const file = [`/usr/bin/python3.${minor}`, `/usr/local/bin/python3.${minor}`].find((candidate) => existsSync(candidate));
    if (file && !found.has(minor)) {
      found.set(minor, file);
    }
  }
  const defaultMinor = spawnSync('python3', ['-c', 'import sys; print(sys.version_info[1])'], { encoding: 'utf8' }).stdout?.trim();
  found.delete(Number(defaultMinor));
  return [...found.entries()].sort(([a], [b]) => a - b).map(([minor, file]) => ({ minor, file }));
}

const node = (...args) => [process.execPath, args];
const others = otherPythons();
const py39 = others.find((python) => python.minor === 9)?.file;
const newest = others.length > 0 && others[others.length - 1].minor > 9 ? others[others.length - 1] : undefined;

/** Each suite: a name, a command, and how its output says how many tests passed. */
const suites = [
  { name: 'lint', run: ['npx', ['eslint', 'src', 'test', 'scripts']], count: 'single' },
  { name: 'typecheck', run: ['npx', ['tsc', '-p', '.', '--noEmit']], count: 'single' },
  { name: 'typecheck-webview', run: ['npx', ['tsc', '-p', 'src/webview', '--noEmit']], count: 'single' },
  { name: 'build', run: ['npm', ['run', '--silent', 'compile-tests']], then: ['npm', ['run', '--silent', 'build']], count: 'single', required: true },
  { name: 'unit', run: ['npx', ['mocha', '--config', '.mocharc.json']], count: 'mocha' },
  { name: 'labkit', run: ['python3', ['-m', 'unittest', 'discover', '-s', 'labkit/tests', '-t', '.']], cwd: join(ROOT, 'labs'), count: 'unittest' },
  ...(py39
    ? [{ name: 'labkit-py39', run: [py39, ['-m', 'unittest', 'discover', '-s', 'labkit/tests', '-t', '.']], cwd: join(ROOT, 'labs'), count: 'unittest' }]
    : []),
  ...(newest
    ? [{ name: `labkit-py3${newest.minor}`, run: [newest.file, ['-m', 'unittest', 'discover', '-s', 'labkit/tests', '-t', '.']], cwd: join(ROOT, 'labs'), count: 'unittest' }]
    : []),
  { name: 'verify', run: node('dist/cli.js', 'verify', '--runs', process.env.VERIFY_RUNS ?? '5'), count: 'summary' },
  ...(py39 ? [{ name: 'verify-py39', run: node('dist/cli.js', 'verify', '--runs', process.env.VERIFY_RUNS ?? '3', '--python', py39), count: 'summary' }] : []),
  // Fewer runs on the other Pythons: the default and 3.9 carry the repetitions, these catch what a version changes.
  ...others
    .filter((python) => python.minor !== 9)
    .map((python) => ({ name: `verify-py3${python.minor}`, run: node('dist/cli.js', 'verify', '--runs', process.env.VERIFY_RUNS ?? '2', '--python', python.file), count: 'summary' })),
  { name: 'host', run: node('scripts/run-host-tests.mjs', '--suite', 'main'), count: 'summary' },
  { name: 'host-python-extension', run: node('scripts/run-host-tests.mjs', '--suite', 'python-extension'), count: 'summary' },
  { name: 'host-restricted', run: node('scripts/run-host-tests.mjs', '--suite', 'restricted', '--untrusted'), count: 'summary', when: () => existsSync(join(ROOT, 'test', 'host', 'restricted')) },
  { name: 'browser', run: node('test/browser/timeline.browser.mjs'), count: 'summary', when: () => existsSync(join(ROOT, 'test', 'browser', 'timeline.browser.mjs')) },
  { name: 'e2e', run: node('test/e2e/run.mjs'), count: 'summary', when: () => existsSync(join(ROOT, 'test', 'e2e', 'run.mjs')) },
  { name: 'e2e-timeline', run: node('scripts/timeline-screenshots.mjs'), count: 'summary' },
];

if (values.list) {
  console.log(suites.map((suite) => suite.name).join('\n'));
  process.exit(0);
}
const only = values.only?.split(',');
const skip = values.skip?.split(',') ?? [];
const chosen = suites.filter((suite) => (!only || only.includes(suite.name)) && !skip.includes(suite.name) && (!suite.when || suite.when()));

function exec([command, args], cwd) {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, { cwd: cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    const forward = (stream) => (chunk) => {
      output += chunk.toString();
      stream.write(chunk);
    };
    child.stdout.on('data', forward(process.stdout));
    child.stderr.on('data', forward(process.stderr));
    child.on('error', (error) => resolve({ code: 127, output: output + error.message }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** How many passed and failed, read from the suite's own closing lines; an unreadable count is a failure. */
function countOf(kind, code, output) {
  const last = (regex) => [...output.matchAll(regex)].pop();
  if (kind === 'single') {
    return code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
  }
  if (kind === 'mocha') {
    const passing = Number(last(/(\d+) passing/g)?.[1] ?? 0);
    const failing = Number(last(/(\d+) failing/g)?.[1] ?? 0);
    return { passed: passing, failed: failing || (code !== 0 || passing === 0 ? 1 : 0) };
  }
  if (kind === 'unittest') {
    const ran = Number(last(/Ran (\d+) tests?/g)?.[1] ?? 0);
    const failures = Number(last(/failures=(\d+)/g)?.[1] ?? 0) + Number(last(/errors=(\d+)/g)?.[1] ?? 0);
    const bad = failures || (code !== 0 || ran === 0 ? 1 : 0);
    return { passed: Math.max(0, ran - failures), failed: bad };
  }
  const summary = last(/^(?:\w+: )?(\d+) passed, (\d+) failed/gm);
  if (!summary) {
    return { passed: 0, failed: 1 };
  }
  const passed = Number(summary[1]);
  const failed = Number(summary[2]);
  return { passed, failed: failed || (code !== 0 || passed === 0 ? 1 : 0) };
}

const totals = { passed: 0, failed: 0 };
const table = [];
for (const suite of chosen) {
  console.log(`\n━━━ ${suite.name} ━━━`);
  const started = Date.now();
  let result = await exec(suite.run, suite.cwd);
  if (result.code === 0 && suite.then) {
    result = await exec(suite.then, suite.cwd);
  }
  const count = countOf(suite.count, result.code, result.output);
  totals.passed += count.passed;
  totals.failed += count.failed;
  table.push({ suite: suite.name, ...count, seconds: ((Date.now() - started) / 1000).toFixed(1) });
  if (suite.required && result.code !== 0) {
    console.log(`\n${suite.name} failed; the suites after it need it.`);
    break;
  }
}

console.log('\n━━━ summary ━━━');
for (const row of table) {
  console.log(`${row.failed > 0 ? '✗' : '✓'} ${row.suite.padEnd(21)} ${String(row.passed).padStart(4)} passed ${String(row.failed).padStart(3)} failed  ${row.seconds} s`);
}
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed > 0 || totals.passed === 0 ? 1 : 0);
