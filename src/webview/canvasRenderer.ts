/**
 * Draws a scene on a canvas: axis, lane labels, spans by kind, counters, flows and markers. Thin on
 * purpose: what is on screen comes from the pure view-model (layout, visibleRects), and spans are filled
 * in one path per kind, so a frame costs what the screen shows, not what the trace holds.
 */
import { Band, LaneBand, LayoutRun, rowTop, TimelineLayout, bandsBetween } from '../core/timeline/layout';
import { formatTick } from '../core/timeline/format';
import { Hit } from '../core/timeline/hitTest';
import { Counter, Marker, MarkerKind, SPAN_KINDS, SpanKind } from '../core/timeline/model';
import { lowerBound, timeOf } from '../core/timeline/search';
import { TimeScale, timeTicks, Viewport } from '../core/timeline/timeScale';
import { SpanRect, visibleRects } from '../core/timeline/visible';
import { Theme } from './theme';

export interface Scene {
  readonly runs: readonly LayoutRun[];
  readonly layout: TimelineLayout;
  readonly view: Viewport;
  readonly scrollTop: number;
  /** Run headers' text (compare summary), by run index. */
  readonly runCaptions: readonly string[];
  readonly hover: Hit | undefined;
}

export const AXIS_HEIGHT = 24;
const MARKER_SIZE = 5;
const MIN_LABEL_PX = 36;
/** Beyond this many arrows on screen they hide the spans they connect: zoom in to see them. */
const MAX_FLOWS = 1000;

export interface FrameStats {
  readonly ms: number;
  readonly rects: number;
}

export class CanvasRenderer {
  private readonly ctx: CanvasRenderingContext2D;
  private width = 0;
  private height = 0;
  private charWidth = 7;
  private readonly rects: SpanRect[] = [];
  private readonly buckets = new Map<SpanKind, number[]>();

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private theme: Theme,
  ) {
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) {
      throw new Error('this webview cannot draw on a canvas (2D context unavailable)');
    }
    this.ctx = ctx;
    this.measureFont();
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.measureFont();
  }

  /** Sizes the backing store for the device's pixel ratio, so lines stay sharp on high-DPI screens. */
  resize(width: number, height: number): void {
    const ratio = window.devicePixelRatio || 1;
    this.width = width;
    this.height = height;
    this.canvas.width = Math.max(1, Math.round(width * ratio));
    this.canvas.height = Math.max(1, Math.round(height * ratio));
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    this.ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    this.measureFont();
  }

  get plotHeight(): number {
    return Math.max(0, this.height - AXIS_HEIGHT);
  }

  /** Width of the lane-name column: wide enough for names, never more than a third of the panel. */
  gutterWidth(): number {
    return Math.round(Math.min(220, Math.max(110, this.width * 0.22)));
  }

  scale(view: Viewport): TimeScale {
    const left = this.gutterWidth();
    return new TimeScale(view, left, Math.max(1, this.width - left - 8));
  }

  draw(scene: Scene): FrameStats {
    const began = performance.now();
    const { ctx, theme } = this;
    const scale = this.scale(scene.view);
    ctx.font = theme.font;
    ctx.textBaseline = 'middle';
    ctx.globalAlpha = 1;
    ctx.fillStyle = theme.background;
    ctx.fillRect(0, 0, this.width, this.height);

    const bands = bandsBetween(scene.layout, scene.scrollTop, scene.scrollTop + this.plotHeight);
    const offset = AXIS_HEIGHT - scene.scrollTop;

    ctx.save();
    ctx.beginPath();
    ctx.rect(0, AXIS_HEIGHT, this.width, this.plotHeight);
    ctx.clip();
    this.drawGrid(scale);
    ctx.save();
    ctx.beginPath();
    ctx.rect(scale.left, AXIS_HEIGHT, this.width - scale.left, this.plotHeight);
    ctx.clip();
    const rectCount = this.drawBands(scene, bands, scale, offset);
    this.drawFlows(scene, scale, offset);
    this.drawHover(scene, scale, offset);
    ctx.restore();
    this.drawGutter(scene, bands, scale, offset);
    ctx.restore();
    this.drawAxis(scale);
    return { ms: performance.now() - began, rects: rectCount };
  }

  private measureFont(): void {
    this.ctx.font = this.theme.font;
    this.charWidth = this.ctx.measureText('abcdefghijklmnopqrstuvwxyz0123456789').width / 36 || 7;
  }

  /** `text` cut with an ellipsis to fit `width` px, estimated from the font's mean character width. */
  private fit(text: string, width: number): string {
    const chars = Math.floor(width / this.charWidth);
    if (chars >= text.length) {
      return text;
    }
    return chars > 1 ? `${text.slice(0, chars - 1)}\u2026` : '';
  }

  private drawGrid(scale: TimeScale): void {
    const { ctx, theme } = this;
    const ticks = timeTicks(scale.view, scale.pixels);
    ctx.strokeStyle = theme.grid;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (const t of ticks.values) {
      const x = Math.round(scale.x(t)) + 0.5;
      ctx.moveTo(x, AXIS_HEIGHT);
      ctx.lineTo(x, this.height);
    }
    ctx.stroke();
  }

  private drawAxis(scale: TimeScale): void {
    const { ctx, theme } = this;
    ctx.globalAlpha = 1;
    ctx.fillStyle = theme.headerBackground;
    ctx.fillRect(0, 0, this.width, AXIS_HEIGHT);
    ctx.strokeStyle = theme.grid;
    ctx.beginPath();
    ctx.moveTo(0, AXIS_HEIGHT - 0.5);
    ctx.lineTo(this.width, AXIS_HEIGHT - 0.5);
    ctx.stroke();
    const ticks = timeTicks(scale.view, scale.pixels);
    ctx.fillStyle = theme.muted;
    ctx.textAlign = 'left';
    for (const t of ticks.values) {
      const x = scale.x(t);
      if (x >= scale.left) {
        ctx.fillRect(Math.round(x), AXIS_HEIGHT - 5, 1, 5);
        ctx.fillText(formatTick(t, ticks.step), x + 3, AXIS_HEIGHT / 2);
      }
    }
    ctx.fillStyle = theme.headerBackground;
    ctx.fillRect(0, 0, scale.left, AXIS_HEIGHT - 1);
    ctx.fillStyle = theme.muted;
    ctx.fillText('time since start', 8, AXIS_HEIGHT / 2);
  }

  private drawBands(scene: Scene, bands: readonly Band[], scale: TimeScale, offset: number): number {
    const { ctx, theme } = this;
    const metrics = scene.layout.metrics;
    const rects = this.rects;
    let rectCount = 0;
    for (const values of this.buckets.values()) {
      values.length = 0;
    }
    const labels: { x: number; y: number; w: number; text: string; solid: boolean }[] = [];
    const markerDraws: { marker: Marker; x: number; y: number; h: number }[] = [];

    for (const band of bands) {
      const y = band.y + offset;
      const trace = scene.runs[band.runIndex].trace;
      switch (band.kind) {
        case 'run':
          ctx.globalAlpha = 1;
          ctx.fillStyle = theme.headerBackground;
          ctx.fillRect(scale.left, y, this.width - scale.left, band.height);
          ctx.fillStyle = theme.foreground;
          ctx.textAlign = 'left';
          ctx.fillText(this.fit(scene.runCaptions[band.runIndex] ?? '', this.width - scale.left - 16), scale.left + 8, y + band.height / 2);
          break;
        case 'process':
          this.separator(scale, y + band.height);
          for (const marker of this.markersInView(trace.processes[band.processIndex].markers, scale)) {
            markerDraws.push({ marker, x: scale.x(marker.t), y, h: band.height });
          }
          break;
        case 'counter':
          this.drawCounter(band.counter, scale, y, band.height);
          break;
        case 'lane': {
          const lane = trace.lanes[band.laneIndex];
          lane.rows.forEach((row, depth) => {
            const top = rowTop(band, depth, metrics) + offset;
            if (top > this.height || top + metrics.rowHeight < AXIS_HEIGHT) {
              return;
            }
            rects.length = 0;
            visibleRects(row, scale, rects);
            rectCount += rects.length;
            for (const rect of rects) {
              const kind = rect.span.kind;
              let bucket = this.buckets.get(kind);
              if (!bucket) {
                bucket = [];
                this.buckets.set(kind, bucket);
              }
              bucket.push(rect.x, top + 1, rect.w, metrics.rowHeight - 2);
              if (rect.count === 1 && rect.w >= MIN_LABEL_PX) {
                labels.push({
                  x: rect.x,
                  y: top + metrics.rowHeight / 2,
                  w: rect.w,
                  text: rect.span.unfinished ? `${rect.span.name} \u2026` : rect.span.name,
                  solid: theme.spans[kind].alpha >= 1,
                });
              }
            }
          });
          for (const marker of this.markersInView(lane.markers, scale)) {
            markerDraws.push({ marker, x: scale.x(marker.t), y, h: band.height });
          }
          this.separator(scale, y + band.height);
          break;
        }
      }
    }

    for (const kind of SPAN_KINDS) {
      const bucket = this.buckets.get(kind);
      if (!bucket || bucket.length === 0) {
        continue;
      }
      const paint = theme.spans[kind];
      ctx.globalAlpha = paint.alpha;
      ctx.fillStyle = paint.color;
      ctx.beginPath();
      for (let i = 0; i < bucket.length; i += 4) {
        ctx.rect(bucket[i], bucket[i + 1], bucket[i + 2], bucket[i + 3]);
      }
      ctx.fill();
    }
    ctx.globalAlpha = 1;
    ctx.textAlign = 'left';
    for (const label of labels) {
      const left = Math.max(label.x, scale.left);
      const width = Math.min(label.x + label.w, this.width) - left - 6;
      const text = this.fit(label.text, width);
      if (text) {
        // Solid chart colours are mid-tones in every theme: the editor background reads on them, while
        // faint outer spans show the editor's own text colour through.
        ctx.fillStyle = label.solid ? theme.background : theme.foreground;
        ctx.fillText(text, left + 3, label.y);
      }
    }
    for (const draw of markerDraws) {
      this.drawMarker(draw.marker.kind, draw.x, draw.y, draw.h);
    }
    for (const marker of this.globalMarkers(scene, scale)) {
      this.drawMarker(marker.kind, scale.x(marker.t), AXIS_HEIGHT, this.plotHeight);
    }
    return rectCount;
  }

  /** A hairline across the plot under a band. */
  private separator(scale: TimeScale, y: number): void {
    const { ctx } = this;
    ctx.globalAlpha = 1;
    ctx.strokeStyle = this.theme.grid;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(scale.left, y - 0.5);
    ctx.lineTo(this.width, y - 0.5);
    ctx.stroke();
  }

  private markersInView(markers: readonly Marker[], scale: TimeScale): readonly Marker[] {
    const slop = MARKER_SIZE / scale.pxPerUs;
    return markers.slice(lowerBound(markers, scale.view.start - slop, timeOf), lowerBound(markers, scale.view.end + slop, timeOf));
  }

  private globalMarkers(scene: Scene, scale: TimeScale): Marker[] {
    return scene.runs.flatMap((run) => this.markersInView(run.trace.markers, scale).filter((m) => m.laneIndex === undefined && m.processIndex === undefined));
  }

  /** A line through the band and a glyph on top; shapes differ by kind so colour is not the only cue. */
  private drawMarker(kind: MarkerKind, x: number, y: number, h: number): void {
    const { ctx } = this;
    const s = MARKER_SIZE;
    ctx.globalAlpha = 1;
    ctx.fillStyle = this.theme.markers[kind];
    ctx.strokeStyle = this.theme.markers[kind];
    ctx.lineWidth = 1;
    ctx.fillRect(Math.round(x), y, 1, h);
    ctx.beginPath();
    switch (kind) {
      case 'error':
        ctx.moveTo(x - s, y);
        ctx.lineTo(x + s, y);
        ctx.lineTo(x, y + s * 1.6);
        ctx.closePath();
        ctx.fill();
        break;
      case 'lostUpdate':
        ctx.moveTo(x, y);
        ctx.lineTo(x + s, y + s);
        ctx.lineTo(x, y + 2 * s);
        ctx.lineTo(x - s, y + s);
        ctx.closePath();
        ctx.fill();
        break;
      case 'cancel':
        ctx.lineWidth = 2;
        ctx.moveTo(x - s, y);
        ctx.lineTo(x + s, y + 2 * s);
        ctx.moveTo(x + s, y);
        ctx.lineTo(x - s, y + 2 * s);
        ctx.stroke();
        break;
      case 'other':
        ctx.arc(x, y + s, s * 0.8, 0, Math.PI * 2);
        ctx.fill();
        break;
    }
  }

  /**
   * A step-shaped area chart sampled once per pixel column, each column showing the highest value held in
   * it, so a counter with thousands of samples costs what the screen is wide.
   */
  private drawCounter(counter: Counter, scale: TimeScale, y: number, height: number): void {
    const { ctx, theme } = this;
    const points = counter.points;
    if (points.length === 0) {
      return;
    }
    const base = y + height - 3;
    const span = height - 8;
    const max = counter.max > 0 ? counter.max : 1;
    const yOf = (value: number): number => base - (Math.max(value, 0) / max) * span;
    const first = Math.max(Math.floor(scale.x(points[0].t)), scale.left);
    const last = Math.min(Math.ceil(scale.x(points[points.length - 1].t)), scale.left + scale.pixels);
    let i = lowerBound(points, scale.t(first), timeOf);
    let held = i > 0 ? points[i - 1].value : 0;
    ctx.beginPath();
    ctx.moveTo(first, base);
    for (let column = first; column < last; column++) {
      const until = scale.t(column + 1);
      let top = held;
      while (i < points.length && points[i].t < until) {
        held = points[i].value;
        top = Math.max(top, held);
        i++;
      }
      ctx.lineTo(column, yOf(top));
      ctx.lineTo(column + 1, yOf(top));
    }
    ctx.lineTo(Math.max(last, first), base);
    ctx.closePath();
    ctx.globalAlpha = 0.45;
    ctx.fillStyle = theme.counter;
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.strokeStyle = theme.counter;
    ctx.lineWidth = 1;
    ctx.stroke();
    ctx.fillStyle = theme.muted;
    ctx.textAlign = 'right';
    ctx.fillText(`max ${counter.max}`, this.width - 10, y + 9);
  }

  private flowY(layout: TimelineLayout, runIndex: number, laneIndex: number, offset: number): number | undefined {
    const band: LaneBand | undefined = layout.laneBands[runIndex]?.[laneIndex];
    return band ? rowTop(band, 0, layout.metrics) + offset + layout.metrics.rowHeight / 2 : undefined;
  }

  private drawFlows(scene: Scene, scale: TimeScale, offset: number): void {
    const { ctx, theme } = this;
    ctx.globalAlpha = 0.75;
    ctx.strokeStyle = theme.flow;
    ctx.fillStyle = theme.flow;
    ctx.lineWidth = 1;
    let drawn = 0;
    scene.runs.forEach((run, runIndex) => {
      for (const flow of run.trace.flows) {
        if (drawn >= MAX_FLOWS || Math.max(flow.from.t, flow.to.t) < scale.view.start || Math.min(flow.from.t, flow.to.t) > scale.view.end) {
          continue;
        }
        const y0 = this.flowY(scene.layout, runIndex, flow.from.laneIndex, offset);
        const y1 = this.flowY(scene.layout, runIndex, flow.to.laneIndex, offset);
        if (y0 === undefined || y1 === undefined || (Math.max(y0, y1) < AXIS_HEIGHT && Math.min(y0, y1) > this.height)) {
          continue;
        }
        const x0 = scale.x(flow.from.t);
        const x1 = scale.x(flow.to.t);
        if (Math.abs(x1 - x0) < 1 && Math.abs(y1 - y0) < 1) {
          continue;
        }
        drawn++;
        const bend = Math.max(Math.abs(x1 - x0) / 2, 12);
        ctx.beginPath();
        ctx.moveTo(x0, y0);
        ctx.bezierCurveTo(x0 + bend, y0, x1 - bend, y1, x1, y1);
        ctx.stroke();
        ctx.beginPath();
        ctx.moveTo(x1, y1);
        ctx.lineTo(x1 - 6, y1 - 3);
        ctx.lineTo(x1 - 6, y1 + 3);
        ctx.closePath();
        ctx.fill();
      }
    });
    ctx.globalAlpha = 1;
  }

  private drawHover(scene: Scene, scale: TimeScale, offset: number): void {
    const hover = scene.hover;
    if (hover?.kind !== 'span') {
      return;
    }
    const band = scene.layout.laneBands[hover.runIndex]?.[hover.span.laneIndex];
    if (!band) {
      return;
    }
    const { ctx } = this;
    const metrics = scene.layout.metrics;
    const x0 = scale.x(hover.span.start);
    const w = Math.max(scale.x(hover.span.end) - x0, 1);
    ctx.globalAlpha = 1;
    ctx.strokeStyle = this.theme.focus;
    ctx.lineWidth = 2;
    ctx.strokeRect(x0, rowTop(band, hover.span.depth, metrics) + offset + 1, w, metrics.rowHeight - 2);
  }

  private drawGutter(scene: Scene, bands: readonly Band[], scale: TimeScale, offset: number): void {
    const { ctx, theme } = this;
    ctx.globalAlpha = 1;
    ctx.fillStyle = theme.background;
    ctx.fillRect(0, AXIS_HEIGHT, scale.left, this.plotHeight);
    ctx.strokeStyle = theme.grid;
    ctx.beginPath();
    ctx.moveTo(scale.left - 0.5, AXIS_HEIGHT);
    ctx.lineTo(scale.left - 0.5, this.height);
    ctx.stroke();
    ctx.textAlign = 'left';
    // Headers sit at the left edge in bold; counters and lanes are indented under their process.
    const label = (text: string, y: number, colour: string, header: boolean): void => {
      const indent = header ? 6 : 16;
      ctx.font = header ? `bold ${theme.font}` : theme.font;
      ctx.fillStyle = colour;
      ctx.fillText(this.fit(text, scale.left - indent - 8), indent, y);
    };
    for (const band of bands) {
      const y = band.y + offset;
      const middle = y + band.height / 2;
      switch (band.kind) {
        case 'run':
          ctx.fillStyle = theme.headerBackground;
          ctx.fillRect(0, y, scale.left, band.height);
          label(band.label, middle, theme.foreground, true);
          break;
        case 'process':
          label(band.label, middle, theme.foreground, true);
          break;
        case 'counter':
          label(band.label, middle, theme.muted, false);
          break;
        case 'lane':
          label(band.label, rowTop(band, 0, scene.layout.metrics) + offset + scene.layout.metrics.rowHeight / 2, theme.foreground, false);
          break;
      }
    }
    ctx.font = theme.font;
  }
}
