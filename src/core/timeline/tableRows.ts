/**
 * The table view's rows: the spans and markers inside the visible time range, in time order, one page at a
 * time. The table is how keyboard and screen-reader users read the timeline, so it follows the zoom.
 */
import { KIND_LABELS, laneLabel, MARKER_LABELS } from './describe';
import { Marker, SourceLocation, Span, Trace } from './model';
import { lowerBound, startOf, timeOf } from './search';
import { Viewport } from './timeScale';

export interface TableRow {
  readonly start: number;
  /** undefined for a marker, which is an instant. */
  readonly duration: number | undefined;
  readonly lane: string;
  readonly kind: string;
  readonly name: string;
  readonly source: SourceLocation | undefined;
  readonly item: { readonly kind: 'span'; readonly span: Span } | { readonly kind: 'marker'; readonly marker: Marker };
}

export interface TablePage {
  readonly rows: readonly TableRow[];
  /** Rows in the whole range, for "rows 1–200 of 12,345". */
  readonly total: number;
  readonly offset: number;
}

function spanRow(trace: Trace, span: Span): TableRow {
  return { start: span.start, duration: span.end - span.start, lane: laneLabel(trace, span.laneIndex), kind: KIND_LABELS[span.kind], name: span.name, source: span.source, item: { kind: 'span', span } };
}

function markerRow(trace: Trace, marker: Marker): TableRow {
  const lane = marker.laneIndex !== undefined ? laneLabel(trace, marker.laneIndex) : marker.processIndex !== undefined ? trace.processes[marker.processIndex]?.name ?? '' : 'whole run';
  return { start: marker.t, duration: undefined, lane, kind: MARKER_LABELS[marker.kind], name: marker.name, source: marker.source, item: { kind: 'marker', marker } };
}

export function tablePage(trace: Trace, view: Viewport, offset: number, limit: number): TablePage {
  // Spans are sorted by start, so everything past the view's end is cut by one search; what ended before
  // the view's start must still be filtered out one by one.
  const spanEnd = lowerBound(trace.spans, view.end + Number.EPSILON, startOf);
  const spans: Span[] = [];
  for (let i = 0; i < spanEnd; i++) {
    if (trace.spans[i].end >= view.start) {
      spans.push(trace.spans[i]);
    }
  }
  const markers = trace.markers.slice(lowerBound(trace.markers, view.start, timeOf), lowerBound(trace.markers, view.end + Number.EPSILON, timeOf));
  const total = spans.length + markers.length;
  const from = Math.max(0, Math.min(offset, Math.max(total - 1, 0)));
  const rows: TableRow[] = [];
  // Merge the two time-sorted lists, building rows only for the requested page.
  let s = 0;
  let m = 0;
  for (let index = 0; index < from + limit && (s < spans.length || m < markers.length); index++) {
    const takeMarker = m < markers.length && (s >= spans.length || markers[m].t < spans[s].start);
    if (index >= from) {
      rows.push(takeMarker ? markerRow(trace, markers[m]) : spanRow(trace, spans[s]));
    }
    if (takeMarker) {
      m++;
    } else {
      s++;
    }
  }
  return { rows, total, offset: from };
}
