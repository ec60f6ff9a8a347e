import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { contentSecurityPolicy, makeNonce, timelineHtml } from '../../../src/host/timeline/timelineHtml';
import { findSource, readRun, sourceCandidates } from '../../../src/host/timeline/traceFiles';
import { parseHostMessage, parseWebviewMessage } from '../../../src/shared/timelineProtocol';
import { FIXTURES } from './traceFixtures';

describe('timeline: protocol', () => {
  it('accepts well-formed webview messages and rejects anything else', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'openSource', runId: 'run-1', file: 'a.py', line: 3 }), { type: 'openSource', runId: 'run-1', file: 'a.py', line: 3 });
    assert.equal(parseWebviewMessage({ type: 'openSource', runId: 'run-1', file: 'a.py', line: 1.5 }), undefined);
    assert.equal(parseWebviewMessage({ type: 'openSource', runId: 'run-1', file: 'a.py', line: 2, root: 7 }), undefined);
    assert.equal(parseWebviewMessage({ type: 'exportTrace' }), undefined);
    assert.deepEqual(parseWebviewMessage({ type: 'rendered', state: 'problem', ms: 3 }), { type: 'rendered', state: 'problem', ms: 3 });
    assert.equal(parseWebviewMessage({ type: 'rendered', state: 'waiting', ms: 3 }), undefined);
    assert.equal(parseWebviewMessage({ type: 'rm -rf' }), undefined);
    assert.equal(parseWebviewMessage('ready'), undefined);
    assert.equal(parseWebviewMessage(null), undefined);
  });

  it('accepts snapshots whose runs carry text or a problem', () => {
    const snapshot = { type: 'snapshot', runs: [{ id: 'a', label: 'A', text: '{}' }, { id: 'b', label: 'B', problem: { message: 'm', advice: 'a' } }] };
    assert.deepEqual(parseHostMessage(snapshot), snapshot);
    assert.equal(parseHostMessage({ type: 'snapshot', runs: [{ id: 'a' }] }), undefined);
    assert.equal(parseHostMessage({ type: 'snapshot', runs: [{ id: 'a', label: 'A', problem: 'x' }] }), undefined);
  });
});

describe('timeline: webview HTML', () => {
  const html = timelineHtml({ cspSource: 'vscode-resource:', nonce: 'abc123', scriptUri: 'vscode-resource:/dist/webview/timeline.js', styleUri: 'vscode-resource:/media/timeline.css', title: 'Timeline: <b>x</b>' });

  it('allows nothing but our stylesheet and the one script with the nonce', () => {
    assert.equal(contentSecurityPolicy('src:', 'n'), "default-src 'none'; style-src src:; font-src src:; img-src src: data:; script-src 'nonce-n'");
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;/);
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    assert.deepEqual(scripts, ['<script nonce="abc123" src="vscode-resource:/dist/webview/timeline.js">']);
    assert.ok(!/unsafe-inline|unsafe-eval/.test(html));
  });

  it('escapes the title and uses a fresh nonce each render', () => {
    assert.match(html, /<title>Timeline: &#60;b&#62;x&#60;\/b&#62;<\/title>/);
    const nonces = new Set(Array.from({ length: 50 }, makeNonce));
    assert.equal(nonces.size, 50);
    assert.ok([...nonces].every((nonce) => /^[A-Za-z0-9]{16,}$/.test(nonce)));
  });
});

describe('timeline: trace files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-timeline-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads a trace into a snapshot labelled with its file name', async () => {
    const run = await readRun('run-1', { path: path.join(FIXTURES, 'labkit-asyncio.json') });
    assert.equal(run.label, 'labkit-asyncio.json');
    assert.ok(run.text?.includes('traceEvents'));
    assert.equal(run.problem, undefined);
  });

  it('turns a missing, oversized or folder path into a message, not an exception', async () => {
    const missing = await readRun('run-2', { path: path.join(dir, 'nope.json'), label: 'last run' });
    assert.equal(missing.label, 'last run');
    assert.match(missing.problem?.message ?? '', /does not exist/);
    assert.match(missing.problem?.advice ?? '', /Run with Timeline/);
    const big = path.join(dir, 'big.json');
    fs.writeFileSync(big, Buffer.alloc(2 * 1024 * 1024 + 1, 32));
    assert.match((await readRun('run-3', { path: big }, 2)).problem?.message ?? '', /is 3 MB, more than the 2 MB/);
    assert.match((await readRun('run-4', { path: dir })).problem?.message ?? '', /folder/);
  });

  it('looks for a span\'s file under the lab folder, the recorded root, then the trace\'s folder', async () => {
    const lab = path.join(dir, 'lab');
    const traces = path.join(dir, 'traces');
    fs.mkdirSync(lab);
    fs.mkdirSync(traces);
    fs.writeFileSync(path.join(traces, 'flags.py'), 'x = 1\n');
    assert.deepEqual(sourceCandidates('flags.py', [lab, undefined, traces, lab]), [path.join(lab, 'flags.py'), path.join(traces, 'flags.py')]);
    assert.deepEqual(sourceCandidates('/abs/file.py', [lab]), [path.normalize('/abs/file.py')]);
    assert.equal(await findSource('flags.py', [lab, traces]), path.join(traces, 'flags.py'));
    fs.writeFileSync(path.join(lab, 'flags.py'), 'x = 2\n');
    assert.equal(await findSource('flags.py', [lab, traces]), path.join(lab, 'flags.py'));
    assert.equal(await findSource('gone.py', [lab, traces]), undefined);
  });
});
