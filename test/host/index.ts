/**
 * Entry point that VS Code's extension host calls (`extensionTestsPath`), under @vscode/test-electron or
 * inside code-server. Runs the mocha files of one suite folder and writes a JSON summary to the file named
 * by CONCURRENCY_LABS_TEST_RESULTS, because in a browser-hosted workbench nobody reads the exit code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

interface TestRecord {
  readonly title: string;
  readonly state: 'passed' | 'failed' | 'pending';
  readonly error?: string;
  readonly durationMs?: number;
}

export function run(): Promise<void> {
  const suite = process.env.CONCURRENCY_LABS_TEST_SUITE || 'main';
  const resultsFile = process.env.CONCURRENCY_LABS_TEST_RESULTS;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 120000 });
  const folder = path.join(__dirname, suite);
  for (const file of fs.readdirSync(folder).filter((name) => name.endsWith('.test.js')).sort()) {
    mocha.addFile(path.join(folder, file));
  }
  const records: TestRecord[] = [];
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const summary = { suite, passed: records.filter((r) => r.state === 'passed').length, failed: failures, tests: records };
        if (resultsFile) {
          fs.writeFileSync(`${resultsFile}.tmp`, JSON.stringify(summary, null, 2));
          fs.renameSync(`${resultsFile}.tmp`, resultsFile);
        }
        if (failures > 0) {
          reject(new Error(`${failures} extension-host test(s) failed`));
        } else {
          resolve();
        }
      });
      runner.on('pass', (test) => records.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration }));
      runner.on('fail', (test, error: Error) => records.push({ title: test.fullTitle(), state: 'failed', error: error.stack ?? String(error) }));
      runner.on('pending', (test) => records.push({ title: test.fullTitle(), state: 'pending' }));
    } catch (error) {
      if (resultsFile) {
        fs.writeFileSync(resultsFile, JSON.stringify({ suite, passed: 0, failed: 1, tests: [{ title: 'load the suite', state: 'failed', error: String((error as Error).stack ?? error) }] }));
      }
      reject(error);
    }
  });
}
