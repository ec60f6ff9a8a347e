/**
 * The timeline webview's entry point: says `ready`, turns each host snapshot into parsed runs, and keeps the
 * toolbar, summary, messages, legend, canvas and table in step. Every failure ends as a message in the
 * panel (and a report to the host), never a blank panel.
 */
import { compareText, KIND_LABELS, laneCpuText, MARKER_LABELS, summaryText } from '../core/timeline/describe';
import { MarkerKind, SourceLocation, SPAN_KINDS, SpanKind, Trace } from '../core/timeline/model';
import { parseTrace } from '../core/timeline/parseTrace';
import { summarizeTrace, TraceSummary } from '../core/timeline/summary';
import { Viewport } from '../core/timeline/timeScale';
import { assertNever, HostToWebview, parseHostMessage, RenderState, RunProblem, RunSnapshot, WebviewToHost } from '../shared/timelineProtocol';
import { FrameStats } from './canvasRenderer';
import { button, h } from './dom';
import { SpanTable, TableRun } from './spanTable';
import { readTheme, Theme, watchTheme } from './theme';
import { TimelineView } from './timelineView';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

interface SavedState {
  readonly runIds: readonly string[];
  readonly view: Viewport;
  readonly table: boolean;
}

interface LoadedRun {
  readonly snapshot: RunSnapshot;
  readonly trace?: Trace;
  readonly summary?: TraceSummary;
  readonly problem?: RunProblem;
}

/** Timings the browser test reads; cheap enough to keep in production. */
export interface TimelineStats {
  state: 'waiting' | RenderState;
  loads: number;
  parseMs: number;
  firstPaintMs: number;
  frames: number;
  frameMs: number[];
  rects: number;
}

const MAX_FRAME_SAMPLES = 500;

function isSavedState(value: unknown): value is SavedState {
  const state = value as SavedState | undefined;
  return typeof state === 'object' && state !== null && Array.isArray(state.runIds) && typeof state.view?.start === 'number' && typeof state.view?.end === 'number';
}

class TimelineApp {
  private readonly stats: TimelineStats = { state: 'waiting', loads: 0, parseMs: 0, firstPaintMs: 0, frames: 0, frameMs: [], rects: 0 };
  private theme: Theme = readTheme();
  private readonly summary = h('div', { className: 'summary', attrs: { role: 'status', 'aria-live': 'polite' } });
  private readonly messages = h('div', { className: 'messages' });
  private readonly cpu = h('details', { className: 'cpu' });
  private readonly legend = h('div', { className: 'legend', attrs: { 'aria-label': 'Legend' } });
  private readonly tableToggle = button('Table', 'Show the spans as a table (for keyboard and screen readers)', () => this.toggleTable());
  private readonly compareButton = button('Compare\u2026', 'Pick another trace to show below this one, on the same time scale', () => this.post({ type: 'compare' }));
  private readonly stopCompare = button('Stop comparing', 'Show only the first run', () => this.keepFirst());
  private readonly view: TimelineView;
  private readonly table: SpanTable;
  private loaded: readonly LoadedRun[] = [];
  private drawn: readonly LoadedRun[] = [];
  /** Kept by identity: the table resets its page only when the runs change. */
  private tableRuns: readonly TableRun[] = [];

  constructor(private readonly api: VsCodeApi) {
    this.view = new TimelineView(this.theme, {
      openSource: (runIndex, source) => this.openSource(this.drawn[runIndex], source),
      viewChanged: (view) => this.viewChanged(view),
      frameDrawn: (stats) => this.frameDrawn(stats),
    });
    this.table = new SpanTable((runIndex, source) => this.openSource(this.drawn[runIndex], source));
    this.tableToggle.setAttribute('aria-pressed', 'false');
    const toolbar = h('div', { className: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Timeline' } }, [
      button('Fit', 'Show the whole run (0)', () => this.view.fit()),
      button('+', 'Zoom in (+)', () => this.view.zoom(1.5)),
      button('\u2212', 'Zoom out (\u2212)', () => this.view.zoom(1 / 1.5)),
      this.tableToggle,
      this.compareButton,
      this.stopCompare,
    ]);
    const keys = h('p', {
      className: 'hint',
      attrs: { id: 'timeline-keys' },
      text: 'Wheel zooms around the pointer, drag pans, + and \u2212 zoom, arrow keys pan and scroll, 0 shows the whole run. Click a span to open its line; double-click to zoom to it.',
    });
    document.body.append(h('div', { className: 'app' }, [h('header', {}, [toolbar, this.summary, this.messages, this.cpu, this.legend]), this.view.element, this.table.element, keys]), this.view.tooltip.element);
    this.publishStats();
    watchTheme(() => {
      this.theme = readTheme();
      this.view.setTheme(this.theme);
      this.renderLegend();
    });
    window.addEventListener('message', (event: MessageEvent) => this.onMessage(event.data));
    window.addEventListener('error', (event) => {
      // Chromium reports a benign ResizeObserver notice as an error event; it is no failure of ours.
      if (!/ResizeObserver loop/.test(event.message)) {
        this.fail(event.message);
      }
    });
    window.addEventListener('unhandledrejection', (event) => this.fail(String(event.reason)));
    this.showEmpty();
    this.post({ type: 'ready' });
  }

  private post(message: WebviewToHost): void {
    this.api.postMessage(message);
  }

  private publishStats(): void {
    (window as unknown as { __timelineStats: TimelineStats }).__timelineStats = this.stats;
    document.body.dataset.state = this.stats.state;
  }

  /** Records and reports what a snapshot became, so the host can log it and its tests can wait for it. */
  private setState(state: RenderState, began: number): void {
    this.stats.state = state;
    document.body.dataset.state = state;
    this.post({ type: 'rendered', state, ms: Math.round(performance.now() - began) });
  }

  private onMessage(data: unknown): void {
    const message: HostToWebview | undefined = parseHostMessage(data);
    if (!message) {
      return;
    }
    switch (message.type) {
      case 'snapshot':
        this.load(message.runs);
        break;
      default:
        assertNever(message.type);
    }
  }

  private fail(detail: string): void {
    this.post({ type: 'error', message: detail });
    this.messages.append(this.problemBox('The timeline hit an internal error', { message: detail, advice: 'Close and reopen the timeline; if it happens again, please report it with the trace file.' }));
  }

  private load(snapshots: readonly RunSnapshot[]): void {
    const began = performance.now();
    this.stats.loads++;
    this.loaded = snapshots.map((snapshot): LoadedRun => {
      if (snapshot.problem) {
        return { snapshot, problem: snapshot.problem };
      }
      const parsed = parseTrace(snapshot.text ?? '');
      return parsed.ok ? { snapshot, trace: parsed.trace, summary: summarizeTrace(parsed.trace) } : { snapshot, problem: parsed.problem };
    });
    this.stats.parseMs = performance.now() - began;
    this.drawn = this.loaded.filter((run) => run.trace !== undefined);
    const saved = this.api.getState();
    const ids = this.drawn.map((run) => run.snapshot.id);
    const restore = isSavedState(saved) && saved.runIds.join('\n') === ids.join('\n') ? saved : undefined;

    this.renderMessages();
    this.renderSummary();
    this.renderLegend();
    this.stopCompare.hidden = snapshots.length < 2;
    this.compareButton.hidden = snapshots.length >= 2;
    const runs = this.drawn.map((run) => ({ trace: run.trace as Trace, label: run.snapshot.label }));
    const captions = this.captions();
    this.tableRuns = runs;
    this.view.element.hidden = runs.length === 0;
    if (runs.length === 0) {
      this.table.update(runs, this.view.view);
      this.setState(snapshots.length === 0 ? 'empty' : 'problem', began);
      if (snapshots.length === 0) {
        this.showEmpty();
      }
      return;
    }
    this.view.setRuns(runs, captions, restore?.view);
    this.stats.firstPaintMs = performance.now() - began;
    this.setState('rendered', began);
    if (restore?.table && !this.table.visible) {
      this.toggleTable();
    }
  }

  private captions(): string[] {
    return this.drawn.map((run, index) => {
      const [first, second] = this.drawn;
      const headline =
        this.drawn.length === 2 && index === 1 && first.summary && second.summary
          ? compareText(first.summary, second.summary, [first.snapshot.label, second.snapshot.label])
          : summaryText(run.summary as TraceSummary);
      return `${run.snapshot.label} \u2014 ${headline}`;
    });
  }

  private showEmpty(): void {
    if (this.loaded.length === 0) {
      this.messages.replaceChildren(
        this.problemBox('No timeline yet', {
          message: 'Nothing has been recorded in this window yet.',
          advice: 'Use "Run with Timeline" on a lab, or open a trace file with "Show Timeline".',
        }),
      );
    }
  }

  private problemBox(title: string, problem: RunProblem): HTMLElement {
    return h('div', { className: 'problem', attrs: { role: 'alert' } }, [h('strong', { text: title }), h('p', { text: problem.message }), h('p', { className: 'advice', text: problem.advice })]);
  }

  private renderMessages(): void {
    const boxes: HTMLElement[] = [];
    for (const run of this.loaded) {
      if (run.problem) {
        boxes.push(this.problemBox(`${run.snapshot.label}: cannot show this trace`, run.problem));
      }
      for (const warning of run.trace?.warnings ?? []) {
        boxes.push(h('div', { className: 'warning', attrs: { role: 'note' } }, [h('strong', { text: `${run.snapshot.label}: ` }), warning]));
      }
    }
    this.messages.replaceChildren(...boxes);
  }

  private renderSummary(): void {
    const lines = this.drawn.map((run) =>
      h('div', { className: 'summary-line' }, [
        h('strong', { text: `${run.snapshot.label}: ` }),
        h('span', { text: summaryText(run.summary as TraceSummary) }),
        button('Export trace', 'Save this trace as JSON (it opens in Perfetto too)', () => this.post({ type: 'exportTrace', runId: run.snapshot.id })),
      ]),
    );
    const [first, second] = this.drawn;
    if (first?.summary && second?.summary) {
      lines.unshift(h('div', { className: 'summary-line compare', text: compareText(first.summary, second.summary, [first.snapshot.label, second.snapshot.label]) }));
    }
    this.summary.replaceChildren(...lines);
    const lanes = this.drawn.flatMap((run) => (run.summary?.lanes ?? []).map((lane) => h('li', { text: `${this.drawn.length > 1 ? `${run.snapshot.label} \u00b7 ` : ''}${laneCpuText(lane)}` })));
    this.cpu.hidden = lanes.length === 0;
    this.cpu.replaceChildren(h('summary', { text: 'CPU time vs wall time per thread' }), h('ul', {}, lanes));
  }

  private renderLegend(): void {
    const kinds = new Set<SpanKind>();
    const markers = new Set<MarkerKind>();
    let flows = false;
    for (const run of this.drawn) {
      const trace = run.trace as Trace;
      for (const lane of trace.lanes) {
        for (const row of lane.rows) {
          for (const span of row) {
            kinds.add(span.kind);
          }
        }
      }
      trace.markers.forEach((marker) => markers.add(marker.kind));
      flows ||= trace.flows.length > 0;
    }
    const items: HTMLElement[] = [];
    for (const kind of SPAN_KINDS.filter((k) => kinds.has(k))) {
      const swatch = h('span', { className: 'swatch' });
      swatch.style.background = this.theme.spans[kind].color;
      swatch.style.opacity = String(Math.max(this.theme.spans[kind].alpha, 0.35));
      items.push(h('span', { className: 'legend-item' }, [swatch, KIND_LABELS[kind]]));
    }
    for (const kind of markers) {
      const glyph = h('span', { className: `glyph marker-${kind}`, attrs: { 'aria-hidden': 'true' } });
      glyph.style.color = this.theme.markers[kind];
      items.push(h('span', { className: 'legend-item' }, [glyph, MARKER_LABELS[kind]]));
    }
    if (flows) {
      const arrow = h('span', { className: 'glyph', text: '\u2192', attrs: { 'aria-hidden': 'true' } });
      arrow.style.color = this.theme.flow;
      items.push(h('span', { className: 'legend-item' }, [arrow, 'handed over (submit/start \u2192 ran)']));
    }
    this.legend.replaceChildren(...items);
  }

  private toggleTable(): void {
    const show = !this.table.visible;
    this.table.setVisible(show);
    this.tableToggle.setAttribute('aria-pressed', String(show));
    this.saveState();
  }

  private keepFirst(): void {
    const first = this.loaded[0];
    if (first) {
      this.post({ type: 'keepOnly', runId: first.snapshot.id });
    }
  }

  private openSource(run: LoadedRun | undefined, source: SourceLocation): void {
    if (run) {
      const root = run.trace?.sourceRoot;
      this.post({ type: 'openSource', runId: run.snapshot.id, file: source.file, line: source.line, ...(root ? { root } : {}) });
    }
  }

  private viewChanged(view: Viewport): void {
    this.table.update(this.tableRuns, view);
    this.saveState();
  }

  private saveState(): void {
    const state: SavedState = { runIds: this.drawn.map((run) => run.snapshot.id), view: this.view.view, table: this.table.visible };
    this.api.setState(state);
  }

  private frameDrawn(stats: FrameStats): void {
    this.stats.frames++;
    this.stats.rects = stats.rects;
    this.stats.frameMs.push(stats.ms);
    if (this.stats.frameMs.length > MAX_FRAME_SAMPLES) {
      this.stats.frameMs.shift();
    }
  }
}

new TimelineApp(acquireVsCodeApi());
