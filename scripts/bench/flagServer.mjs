// Flag server: 200 requests at once with no delay against `python -m labkit.flagserver` on 127.0.0.1,
// each on a connection of its own; every one must be answered 200 with the flag's bytes, none refused.
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { row } from './report.mjs';
import { LABS_ROOT, pythonEnv, startFlagServer, timed } from './labs.mjs';

export const CONCURRENT = 200;

/** The 20 codes the server knows, from labkit itself. */
async function knownCodes(python) {
  const { stdout } = await timed(python, ['-c', 'from labkit.flags import POP20_CC; print(",".join(POP20_CC))'], { cwd: LABS_ROOT, env: pythonEnv() });
  return stdout.trim().split(',');
}

/** GETs url on a fresh connection; resolves with null when served whole, else with what went wrong. */
function fetchOnce(url) {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 30_000 }, (response) => {
      let bytes = 0;
      response.on('data', (chunk) => (bytes += chunk.length));
      response.on('end', () => {
        const expected = Number(response.headers['content-length']);
        resolve(response.statusCode !== 200 ? `HTTP ${response.statusCode}` : bytes === 0 || bytes !== expected ? `${bytes} of ${expected} bytes` : null);
      });
      response.on('error', (error) => resolve(error.code ?? error.message));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', (error) => resolve(error.code ?? error.message));
    req.end();
  });
}

/** One burst of `CONCURRENT` requests; resolves with { errors, ms, kinds } (kinds: error text → count). */
export async function burst(baseUrl, codes) {
  const began = performance.now();
  const outcomes = await Promise.all(
    Array.from({ length: CONCURRENT }, (_, index) => {
      const code = codes[index % codes.length];
      return fetchOnce(`${baseUrl}/${code}/${code.toLowerCase()}.gif`);
    }),
  );
  const kinds = {};
  for (const outcome of outcomes.filter(Boolean)) {
    kinds[outcome] = (kinds[outcome] ?? 0) + 1;
  }
  return { errors: outcomes.filter(Boolean).length, ms: performance.now() - began, kinds };
}

/** Each run starts its own server, so the start-up is measured too and one run's leftovers never help the next. */
export async function benchFlagServer({ python, runs, log }) {
  const codes = await knownCodes(python);
  const errors = [];
  const served = [];
  const starts = [];
  const kinds = {};
  for (let index = -1; index < runs; index += 1) {
    const server = await startFlagServer(python, { delaySeconds: 0, errorCodes: [] });
    try {
      const result = await burst(server.url, codes);
      if (index >= 0) {
        errors.push(result.errors);
        served.push(result.ms);
        starts.push(server.startMs);
        for (const [kind, count] of Object.entries(result.kinds)) {
          kinds[kind] = (kinds[kind] ?? 0) + count;
        }
      }
    } finally {
      server.stop();
    }
  }
  log(`flag server: ${errors.reduce((a, b) => a + b, 0)} errors in ${runs} bursts of ${CONCURRENT}`);
  return [
    row('flag-server', `flag server: ${CONCURRENT} concurrent requests, errors`, 'errors', errors, { target: { max: 0 }, ...(Object.keys(kinds).length > 0 ? { extra: { kinds } } : {}) }),
    row('flag-server', `  all ${CONCURRENT} answered in`, 'ms', served),
    row('flag-server', '  server start (spawn to listening)', 'ms', starts),
  ];
}
