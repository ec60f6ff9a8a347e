/**
 * The interactive canvas: owns the viewport and vertical scroll, turns wheel, drag, click and keys into
 * view-model calls (zoom around the cursor, pan, hit-test, open source), and redraws at most once per
 * animation frame.
 */
import { counterDetails, markerDetails, spanDetails } from '../core/timeline/describe';
import { Hit, hitTest } from '../core/timeline/hitTest';
import { DEFAULT_METRICS, LayoutRun, layoutRuns, TimelineLayout } from '../core/timeline/layout';
import { SourceLocation } from '../core/timeline/model';
import { clampViewport, fitViewport, focusViewport, panViewport, TimeDomain, Viewport, zoomViewport } from '../core/timeline/timeScale';
import { AXIS_HEIGHT, CanvasRenderer, FrameStats } from './canvasRenderer';
import { h } from './dom';
import { Theme } from './theme';
import { Tooltip } from './tooltip';

export interface TimelineCallbacks {
  openSource(runIndex: number, source: SourceLocation): void;
  viewChanged(view: Viewport): void;
  frameDrawn(stats: FrameStats): void;
}

/** Zoom per keypress; the wheel scales with how far it turned. */
const KEY_ZOOM = 1.5;
/** Fraction of the view one arrow key pans. */
const KEY_PAN = 0.2;
/** Pointer travel (px) that turns a click into a drag. */
const DRAG_THRESHOLD = 4;

interface Drag {
  readonly x: number;
  readonly y: number;
  readonly view: Viewport;
  readonly scrollTop: number;
  moved: boolean;
}

function wheelPixels(event: WheelEvent, delta: number): number {
  // Line and page modes come from mice with notched wheels on some platforms.
  return event.deltaMode === 1 ? delta * 16 : event.deltaMode === 2 ? delta * 400 : delta;
}

function sourceOfHit(hit: Hit | undefined): SourceLocation | undefined {
  switch (hit?.kind) {
    case 'span':
      return hit.span.source;
    case 'marker':
      return hit.marker.source;
    default:
      return undefined;
  }
}

export class TimelineView {
  readonly element = h('div', {
    className: 'scroller',
    attrs: {
      tabindex: '0',
      role: 'region',
      'aria-label': 'Run timeline',
      'aria-describedby': 'timeline-keys',
    },
  });
  readonly tooltip = new Tooltip();
  private readonly canvas = h('canvas', { attrs: { 'aria-hidden': 'true' } });
  private readonly spacer = h('div', { className: 'spacer' });
  private readonly renderer: CanvasRenderer;
  private runs: readonly LayoutRun[] = [];
  private captions: readonly string[] = [];
  private layout: TimelineLayout = layoutRuns([]);
  private domain: TimeDomain = { start: 0, end: 1 };
  private currentView: Viewport = { start: 0, end: 1 };
  private hover: Hit | undefined;
  private drag: Drag | undefined;
  private frame = 0;

  constructor(
    theme: Theme,
    private readonly callbacks: TimelineCallbacks,
  ) {
    this.renderer = new CanvasRenderer(this.canvas, theme);
    this.element.append(this.canvas, this.spacer);
    this.element.addEventListener('wheel', (event) => this.onWheel(event), { passive: false });
    this.element.addEventListener('scroll', () => this.requestRender());
    this.element.addEventListener('keydown', (event) => this.onKey(event));
    this.canvas.addEventListener('pointerdown', (event) => this.onPointerDown(event));
    this.canvas.addEventListener('pointermove', (event) => this.onPointerMove(event));
    this.canvas.addEventListener('pointerup', (event) => this.onPointerUp(event));
    this.canvas.addEventListener('pointerleave', () => this.setHover(undefined));
    this.canvas.addEventListener('dblclick', (event) => this.onDoubleClick(event));
    // Resizing inside the observer's callback changes layout it is watching; a frame later it does not,
    // and Chromium reports no "ResizeObserver loop" error.
    new ResizeObserver(() => requestAnimationFrame(() => this.resize())).observe(this.element);
  }

  get view(): Viewport {
    return this.currentView;
  }

  /** Shows new runs on one time scale starting at zero; keeps `view` when given (restored state). */
  setRuns(runs: readonly LayoutRun[], captions: readonly string[], view?: Viewport): FrameStats {
    this.runs = runs;
    this.captions = captions;
    this.layout = layoutRuns(runs, DEFAULT_METRICS);
    this.domain = { start: 0, end: Math.max(1, ...runs.map((run) => run.trace.duration)) };
    this.hover = undefined;
    this.spacer.style.height = '0px';
    this.resize(false);
    this.setView(view ? clampViewport(view, this.domain) : fitViewport(this.domain), false);
    return this.renderNow();
  }

  setTheme(theme: Theme): void {
    this.renderer.setTheme(theme);
    this.requestRender();
  }

  fit(): void {
    this.setView(fitViewport(this.domain));
  }

  zoom(factor: number, anchor = 0.5): void {
    this.setView(zoomViewport(this.currentView, this.domain, factor, anchor));
  }

  pan(fraction: number): void {
    this.setView(panViewport(this.currentView, this.domain, (this.currentView.end - this.currentView.start) * fraction));
  }

  focusOn(start: number, end: number): void {
    this.setView(focusViewport(start, end, this.domain));
  }

  renderNow(): FrameStats {
    if (this.frame) {
      cancelAnimationFrame(this.frame);
      this.frame = 0;
    }
    const stats = this.renderer.draw({
      runs: this.runs,
      layout: this.layout,
      view: this.currentView,
      scrollTop: this.element.scrollTop,
      runCaptions: this.captions,
      hover: this.hover,
    });
    this.callbacks.frameDrawn(stats);
    return stats;
  }

  private requestRender(): void {
    if (!this.frame) {
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.renderNow();
      });
    }
  }

  private setView(view: Viewport, render = true): void {
    this.currentView = view;
    this.callbacks.viewChanged(view);
    if (render) {
      this.requestRender();
    }
  }

  private resize(render = true): void {
    const width = this.element.clientWidth;
    const height = this.element.clientHeight;
    this.renderer.resize(width, height);
    // The canvas sticks to the top of the scroller; the spacer gives the scrollbar the lanes' full height.
    this.spacer.style.height = `${Math.max(0, AXIS_HEIGHT + this.layout.height - height)}px`;
    if (render) {
      this.renderNow();
    }
  }

  private local(event: MouseEvent): { x: number; y: number } {
    const box = this.canvas.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  private hitAt(event: MouseEvent): Hit | undefined {
    const { x, y } = this.local(event);
    if (y < AXIS_HEIGHT) {
      return undefined;
    }
    return hitTest(this.layout, this.runs, this.renderer.scale(this.currentView), x, y - AXIS_HEIGHT + this.element.scrollTop);
  }

  private onWheel(event: WheelEvent): void {
    event.preventDefault();
    const scale = this.renderer.scale(this.currentView);
    const dx = wheelPixels(event, event.deltaX);
    const dy = wheelPixels(event, event.deltaY);
    if (event.shiftKey || Math.abs(dx) > Math.abs(dy)) {
      const pixels = event.shiftKey && dx === 0 ? dy : dx;
      this.setView(panViewport(this.currentView, this.domain, pixels / scale.pxPerUs));
    } else {
      this.zoom(Math.exp(-dy * 0.002), scale.fraction(this.local(event).x));
    }
  }

  private onKey(event: KeyboardEvent): void {
    const rows = DEFAULT_METRICS.rowHeight * 3;
    switch (event.key) {
      case '+':
      case '=':
        this.zoom(KEY_ZOOM);
        break;
      case '-':
      case '_':
        this.zoom(1 / KEY_ZOOM);
        break;
      case 'ArrowLeft':
        this.pan(-KEY_PAN);
        break;
      case 'ArrowRight':
        this.pan(KEY_PAN);
        break;
      case 'ArrowUp':
        this.element.scrollTop -= rows;
        break;
      case 'ArrowDown':
        this.element.scrollTop += rows;
        break;
      case '0':
      case 'Home':
        this.fit();
        break;
      default:
        return;
    }
    event.preventDefault();
  }

  private onPointerDown(event: PointerEvent): void {
    if (event.button !== 0) {
      return;
    }
    this.canvas.setPointerCapture(event.pointerId);
    this.drag = { x: event.clientX, y: event.clientY, view: this.currentView, scrollTop: this.element.scrollTop, moved: false };
    this.element.focus({ preventScroll: true });
  }

  private onPointerMove(event: PointerEvent): void {
    const drag = this.drag;
    if (!drag) {
      this.setHover(this.hitAt(event), event);
      return;
    }
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < DRAG_THRESHOLD) {
      return;
    }
    drag.moved = true;
    this.canvas.classList.add('dragging');
    this.tooltip.hide();
    const scale = this.renderer.scale(drag.view);
    this.element.scrollTop = drag.scrollTop - dy;
    this.setView(panViewport(drag.view, this.domain, -dx / scale.pxPerUs));
  }

  private onPointerUp(event: PointerEvent): void {
    const drag = this.drag;
    this.drag = undefined;
    this.canvas.classList.remove('dragging');
    if (this.canvas.hasPointerCapture(event.pointerId)) {
      this.canvas.releasePointerCapture(event.pointerId);
    }
    if (drag && !drag.moved) {
      const hit = this.hitAt(event);
      const source = sourceOfHit(hit);
      if (hit && source) {
        this.callbacks.openSource(hit.runIndex, source);
      }
    }
  }

  private onDoubleClick(event: MouseEvent): void {
    const hit = this.hitAt(event);
    if (hit?.kind === 'span') {
      this.focusOn(hit.span.start, hit.span.end);
    }
  }

  private setHover(hit: Hit | undefined, event?: MouseEvent): void {
    const changed = hit?.kind !== this.hover?.kind || (hit?.kind === 'span' && this.hover?.kind === 'span' && hit.span !== this.hover.span);
    this.hover = hit;
    this.canvas.classList.toggle('linked', sourceOfHit(hit) !== undefined);
    if (!hit || !event) {
      this.tooltip.hide();
    } else {
      const trace = this.runs[hit.runIndex].trace;
      switch (hit.kind) {
        case 'span':
          this.tooltip.show(event.clientX, event.clientY, hit.span.name, spanDetails(trace, hit.span));
          break;
        case 'marker':
          this.tooltip.show(event.clientX, event.clientY, hit.marker.name, markerDetails(trace, hit.marker));
          break;
        case 'counter':
          this.tooltip.show(event.clientX, event.clientY, hit.counter.name, counterDetails(hit.counter, hit.point));
          break;
      }
    }
    if (changed) {
      this.requestRender();
    }
  }
}
