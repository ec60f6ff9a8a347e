// The timeline webview's test bench, shared by the browser test (timeline.browser.mjs) and the benchmarks
// (scripts/bench/timeline.mjs): the built bundle in the host's own HTML and CSP, served from 127.0.0.1 to
// Debian's headless Chromium, with a mock acquireVsCodeApi, and the traces both of them draw.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, ROOT } from '../../scripts/lib/codeServer.mjs';

export const BUNDLE = join(ROOT, 'dist', 'webview', 'timeline.js');
const HTML_MODULE = join(ROOT, 'out', 'src', 'host', 'timeline', 'timelineHtml.js');

// Colours of a dark and a light theme, as VS Code would define them (a subset: what the timeline reads).
export const THEMES = {
  dark: {
    'editor-background': '#1e1e1e', 'editor-foreground': '#d4d4d4', foreground: '#cccccc', descriptionForeground: '#9d9d9d',
    'charts-foreground': '#cccccc', 'charts-lines': '#808080', 'charts-red': '#f14c4c', 'charts-blue': '#3794ff',
    'charts-yellow': '#cca700', 'charts-orange': '#d18616', 'charts-green': '#89d185', 'charts-purple': '#b180d7',
    'terminal-ansiCyan': '#11a8cd', 'editorError-foreground': '#f14c4c', 'editorWarning-foreground': '#cca700',
    'editorInfo-foreground': '#3794ff', 'focusBorder': '#007fd4', 'textLink-foreground': '#3794ff',
    'editorIndentGuide-background1': '#404040', 'panel-border': '#80808059', 'sideBarSectionHeader-background': '#252526',
    'button-background': '#0e639c', 'button-foreground': '#ffffff', 'button-secondaryBackground': '#3a3d41',
    'button-secondaryForeground': '#ffffff', 'button-secondaryHoverBackground': '#45494e', 'editorHoverWidget-background': '#252526', 'editorHoverWidget-foreground': '#cccccc',
    'editorHoverWidget-border': '#454545', 'font-family': 'sans-serif', 'font-size': '13px',
  },
  light: {
    'editor-background': '#ffffff', 'editor-foreground': '#000000', foreground: '#616161', descriptionForeground: '#717171',
    'charts-foreground': '#616161', 'charts-lines': '#61616180', 'charts-red': '#e51400', 'charts-blue': '#1a85ff',
    'charts-yellow': '#bf8803', 'charts-orange': '#d18616', 'charts-green': '#388a34', 'charts-purple': '#652d90',
    'terminal-ansiCyan': '#0598bc', 'editorError-foreground': '#e51400', 'editorWarning-foreground': '#bf8803',
    'editorInfo-foreground': '#1a85ff', 'focusBorder': '#0090f1', 'textLink-foreground': '#006ab1',
    'editorIndentGuide-background1': '#d3d3d3', 'panel-border': '#80808059', 'sideBarSectionHeader-background': '#f3f3f3',
    'button-background': '#007acc', 'button-foreground': '#ffffff', 'button-secondaryBackground': '#5f6a79',
    'button-secondaryForeground': '#ffffff', 'button-secondaryHoverBackground': '#4c5561', 'editorHoverWidget-background': '#f3f3f3', 'editorHoverWidget-foreground': '#616161',
    'editorHoverWidget-border': '#c8c8c8', 'font-family': 'sans-serif', 'font-size': '13px',
  },
};

export function ensureBuilt() {
  if (!existsSync(HTML_MODULE)) {
    execFileSync('npx', ['tsc', '-p', '.'], { cwd: ROOT, stdio: 'inherit' });
  }
  if (!existsSync(BUNDLE)) {
    execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: ROOT, stdio: 'inherit' });
  }
}

export function themeCss(name) {
  const vars = Object.entries(THEMES[name]).map(([key, value]) => `  --vscode-${key}: ${value};`).join('\n');
  return `:root {\n${vars}\n}\n`;
}

/** A labkit-style run with `spans` spans: a process, worker threads, work items with a call inside each. */
export function bigTrace(spans) {
  const pid = 1000;
  const workers = 8;
  const items = Math.floor((spans - workers - 1) / 2 / workers);
  const events = [
    { ph: 'M', name: 'process_name', pid, ts: 0, args: { name: `MainProcess (pid ${pid})` } },
    { ph: 'M', name: 'thread_name', pid, tid: 1, ts: 0, args: { name: 'MainThread' } },
  ];
  const total = items * 120 + 1000;
  events.push({ ph: 'X', cat: 'process', name: 'MainProcess', pid, tid: 1, ts: 0, dur: total, tdur: total / 10 });
  for (let w = 0; w < workers; w++) {
    const tid = w + 2;
    events.push({ ph: 'M', name: 'thread_name', pid, tid, ts: 0, args: { name: `ThreadPoolExecutor-0_${w}` } });
    events.push({ ph: 'X', cat: 'thread', name: `ThreadPoolExecutor-0_${w}`, pid, tid, ts: 10, dur: total - 20, tdur: total / 20 });
    for (let i = 0; i < items; i++) {
      const ts = 20 + i * 120 + (w * 7) % 50;
      const dur = 40 + ((i * 31 + w * 17) % 60);
      events.push({ ph: 'X', cat: 'work', name: 'crunch', pid, tid, ts, dur, args: { future: i, file: 'work.py', line: 12 } });
      events.push({ ph: 'X', cat: 'call', name: 'step', pid, tid, ts: ts + 5, dur: dur - 10, args: { file: 'work.py', line: 4 } });
      if (i % 80 === 0) {
        events.push({ ph: 's', cat: 'work', name: 'submit', pid, tid: 1, ts: ts - 5, id: `${w}-${i}` });
        events.push({ ph: 'f', cat: 'work', name: 'submit', pid, tid, ts, id: `${w}-${i}`, bp: 'e' });
      }
    }
  }
  for (let i = 0; i < 5000; i++) {
    events.push({ ph: 'C', cat: 'request', name: 'in flight', pid, tid: 1, ts: i * (total / 5000), args: { requests: (i * 7) % 9 } });
  }
  return JSON.stringify({ traceEvents: events, otherData: { concurrencyLabs: { version: 1, truncated: false, root: '/nonexistent' } } });
}

function serve(files) {
  const server = createServer((request, response) => {
    const pathname = new URL(request.url, 'http://127.0.0.1').pathname;
    const file = files[pathname];
    if (pathname === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    const type = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' }[extname(file.name)] ?? 'application/octet-stream';
    response.writeHead(200, { 'content-type': `${type}; charset=utf-8` }).end(file.body());
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

/** Runs in the page before its scripts: the VS Code webview API, recording what the webview posts. */
export function mockVsCodeApi() {
  window.__posted = [];
  window.__violations = [];
  let state;
  window.acquireVsCodeApi = () => ({
    postMessage: (message) => window.__posted.push(message),
    getState: () => state,
    setState: (next) => {
      state = next;
    },
  });
  document.addEventListener('securitypolicyviolation', (event) => window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`));
}

/**
 * Serves the webview and launches Chromium. `open(options)` loads it in a new page (options go to
 * newContext) once it has said `ready`; `snapshot(page, runs)` posts runs as the host would and resolves
 * with the state the webview reached. Page errors and console errors of every page land in `pageErrors`.
 */
export async function startHarness() {
  const require = createRequire(import.meta.url);
  const { timelineHtml, makeNonce } = require(HTML_MODULE);

  let origin = '';
  const harness = () =>
    timelineHtml({ cspSource: origin, nonce: makeNonce(), scriptUri: `${origin}/dist/webview/timeline.js`, styleUri: `${origin}/media/timeline.css`, title: 'Timeline' })
      .replace('</head>', `<link rel="stylesheet" id="theme" href="${origin}/theme/dark.css">\n</head>`)
      .replace('<body>', '<body class="vscode-dark">');
  const server = await serve({
    '/harness.html': { name: 'harness.html', body: harness },
    '/dist/webview/timeline.js': { name: 'timeline.js', body: () => readFileSync(BUNDLE) },
    '/media/timeline.css': { name: 'timeline.css', body: () => readFileSync(join(ROOT, 'media', 'timeline.css')) },
    '/theme/dark.css': { name: 'dark.css', body: () => themeCss('dark') },
    '/theme/light.css': { name: 'light.css', body: () => themeCss('light') },
  });
  origin = `http://127.0.0.1:${server.address().port}`;

  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const pageErrors = [];
  const open = async (options = {}) => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 760 }, ...options });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') {
        pageErrors.push(message.text());
      }
    });
    await page.addInitScript(mockVsCodeApi);
    await page.goto(`${origin}/harness.html`);
    await page.waitForFunction(() => window.__posted.length > 0);
    return page;
  };
  const snapshot = async (page, runs) => {
    const loads = await page.evaluate(() => window.__timelineStats.loads);
    await page.evaluate((message) => window.postMessage(message, '*'), { type: 'snapshot', runs });
    await page.waitForFunction((before) => window.__timelineStats.loads > before, loads);
    return page.evaluate(() => document.body.dataset.state);
  };
  const close = async () => {
    await browser.close();
    server.close();
  };
  return { browser, server, origin, open, snapshot, pageErrors, close };
}
