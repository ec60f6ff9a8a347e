/**
 * Colours for the canvas, read from VS Code's `--vscode-*` CSS variables so the timeline follows the
 * learner's theme (including high contrast). Canvas cannot use CSS variables directly, so they are resolved
 * here and resolved again whenever VS Code switches theme (it changes body's class and html's style).
 */
import { MarkerKind, SpanKind } from '../core/timeline/model';

export interface Paint {
  readonly color: string;
  /** Outer spans (process, thread, task lifetime) are faint so the work inside them stands out. */
  readonly alpha: number;
}

export interface Theme {
  readonly background: string;
  readonly foreground: string;
  readonly muted: string;
  readonly grid: string;
  readonly headerBackground: string;
  readonly focus: string;
  readonly flow: string;
  readonly counter: string;
  readonly font: string;
  readonly spans: Readonly<Record<SpanKind, Paint>>;
  readonly markers: Readonly<Record<MarkerKind, string>>;
}

/** Each colour is a list of variables, first defined wins: older VS Code versions lack some chart colours. */
const SPAN_VARS: Readonly<Record<SpanKind, readonly [readonly string[], number]>> = {
  process: [['--vscode-charts-lines', '--vscode-descriptionForeground'], 0.18],
  thread: [['--vscode-charts-lines', '--vscode-descriptionForeground'], 0.32],
  task: [['--vscode-charts-purple', '--vscode-terminal-ansiMagenta'], 0.35],
  step: [['--vscode-charts-purple', '--vscode-terminal-ansiMagenta'], 1],
  work: [['--vscode-charts-blue', '--vscode-terminal-ansiBlue'], 1],
  call: [['--vscode-charts-green', '--vscode-terminal-ansiGreen'], 1],
  // Waiting for a lock is the cost the learner should notice: red, apart from the yellow of holding it.
  lockWait: [['--vscode-charts-red', '--vscode-terminal-ansiRed'], 0.85],
  lockHold: [['--vscode-charts-yellow', '--vscode-terminal-ansiBrightYellow'], 1],
  request: [['--vscode-terminal-ansiCyan', '--vscode-charts-blue'], 1],
  other: [['--vscode-charts-foreground', '--vscode-foreground'], 0.6],
};

const MARKER_VARS: Readonly<Record<MarkerKind, readonly string[]>> = {
  lostUpdate: ['--vscode-editorWarning-foreground', '--vscode-charts-yellow'],
  error: ['--vscode-editorError-foreground', '--vscode-errorForeground', '--vscode-charts-red'],
  cancel: ['--vscode-editorInfo-foreground', '--vscode-charts-orange'],
  other: ['--vscode-foreground'],
};

export function readTheme(): Theme {
  const style = getComputedStyle(document.documentElement);
  const bodyColor = getComputedStyle(document.body).color;
  // The body's text colour comes from --vscode-foreground in timeline.css: still the theme's.
  const pick = (names: readonly string[], fallback = bodyColor): string => {
    for (const name of names) {
      const value = style.getPropertyValue(name).trim();
      if (value) {
        return value;
      }
    }
    return fallback;
  };
  const spans = {} as Record<SpanKind, Paint>;
  for (const [kind, [names, alpha]] of Object.entries(SPAN_VARS) as [SpanKind, readonly [readonly string[], number]][]) {
    spans[kind] = { color: pick(names), alpha };
  }
  const markers = {} as Record<MarkerKind, string>;
  for (const [kind, names] of Object.entries(MARKER_VARS) as [MarkerKind, readonly string[]][]) {
    markers[kind] = pick(names);
  }
  const family = pick(['--vscode-font-family'], 'sans-serif');
  const size = pick(['--vscode-font-size'], '13px');
  return {
    background: pick(['--vscode-editor-background', '--vscode-panel-background']),
    foreground: pick(['--vscode-editor-foreground', '--vscode-foreground']),
    muted: pick(['--vscode-descriptionForeground', '--vscode-foreground']),
    grid: pick(['--vscode-editorIndentGuide-background1', '--vscode-editorIndentGuide-background', '--vscode-panel-border', '--vscode-widget-border']),
    headerBackground: pick(['--vscode-sideBarSectionHeader-background', '--vscode-editorWidget-background', '--vscode-editor-background']),
    focus: pick(['--vscode-focusBorder', '--vscode-foreground']),
    flow: pick(['--vscode-textLink-foreground', '--vscode-foreground']),
    counter: pick(['--vscode-charts-blue', '--vscode-terminal-ansiBlue']),
    font: `${size} ${family}`,
    spans,
    markers,
  };
}

/** Calls `onChange` after VS Code switches theme. Returns a function that stops watching. */
export function watchTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  return () => observer.disconnect();
}
