/**
 * The table view: the spans and markers of the visible time range as a real table, for keyboard and
 * screen-reader users. One tab stop; arrow keys move between rows (roving tabindex), Enter opens the
 * row's source line, and pages of rows keep the DOM small whatever the trace holds.
 */
import { formatDuration } from '../core/timeline/format';
import { SourceLocation, Trace } from '../core/timeline/model';
import { tablePage, TableRow } from '../core/timeline/tableRows';
import { Viewport } from '../core/timeline/timeScale';
import { button, h } from './dom';

const PAGE = 200;
const COLUMNS = ['Start', 'Duration', 'Lane', 'Kind', 'Name', 'Source'];

export interface TableRun {
  readonly label: string;
  readonly trace: Trace;
}

export class SpanTable {
  readonly element = h('section', { className: 'table-view', attrs: { 'aria-label': 'Spans in the visible time range' } });
  private readonly runPicker = h('select', { attrs: { 'aria-label': 'Run to list' } });
  private readonly status = h('p', { className: 'table-status', attrs: { 'aria-live': 'polite' } });
  private readonly body = h('tbody');
  private readonly previous = button('Previous rows', `Show the previous ${PAGE} rows`, () => this.turn(-PAGE));
  private readonly next = button('Next rows', `Show the next ${PAGE} rows`, () => this.turn(PAGE));
  private runs: readonly TableRun[] = [];
  private view: Viewport = { start: 0, end: 1 };
  private runIndex = 0;
  private offset = 0;
  private rows: readonly TableRow[] = [];
  private focusedRow = 0;

  constructor(private readonly openSource: (runIndex: number, source: SourceLocation) => void) {
    const table = h('table', { attrs: { 'aria-describedby': 'table-help' } }, [
      h('caption', { text: 'Spans and markers, in time order' }),
      h('thead', {}, [h('tr', {}, COLUMNS.map((name) => h('th', { text: name, attrs: { scope: 'col' } })))]),
      this.body,
    ]);
    this.runPicker.addEventListener('change', () => {
      this.runIndex = Number(this.runPicker.value);
      this.offset = 0;
      this.render();
    });
    this.body.addEventListener('keydown', (event) => this.onKey(event));
    this.element.append(
      h('div', { className: 'table-controls' }, [this.runPicker, this.previous, this.next, this.status]),
      h('p', { className: 'hint', attrs: { id: 'table-help' }, text: 'Up and down arrows move between rows; Enter opens the row\u2019s line in your code. The table lists what the timeline shows: zoom the timeline to narrow it.' }),
      table,
    );
    this.element.hidden = true;
  }

  get visible(): boolean {
    return !this.element.hidden;
  }

  setVisible(visible: boolean): void {
    this.element.hidden = !visible;
    if (visible) {
      this.render();
    }
  }

  update(runs: readonly TableRun[], view: Viewport): void {
    const runsChanged = runs !== this.runs;
    this.runs = runs;
    this.view = view;
    if (runsChanged) {
      this.runIndex = 0;
      this.offset = 0;
      this.runPicker.replaceChildren(...runs.map((run, index) => h('option', { text: run.label, attrs: { value: String(index) } })));
      this.runPicker.hidden = runs.length < 2;
    }
    if (this.visible) {
      this.render();
    }
  }

  private turn(delta: number): void {
    this.offset = Math.max(0, this.offset + delta);
    this.render();
    this.focusRow(0);
  }

  private render(): void {
    const run = this.runs[this.runIndex];
    if (!run) {
      this.body.replaceChildren();
      this.status.textContent = 'No run to list.';
      return;
    }
    const page = tablePage(run.trace, this.view, this.offset, PAGE);
    this.offset = page.offset;
    this.rows = page.rows;
    this.focusedRow = Math.min(this.focusedRow, Math.max(page.rows.length - 1, 0));
    this.body.replaceChildren(...page.rows.map((row, index) => this.rowElement(row, index)));
    this.status.textContent =
      page.total === 0 ? 'Nothing in the visible time range.' : `Rows ${page.offset + 1}\u2013${page.offset + page.rows.length} of ${page.total.toLocaleString()}`;
    this.previous.disabled = page.offset === 0;
    this.next.disabled = page.offset + page.rows.length >= page.total;
  }

  private rowElement(row: TableRow, index: number): HTMLTableRowElement {
    const source = row.source;
    const sourceCell = h('td');
    if (source) {
      sourceCell.append(button(`${source.file}:${source.line}`, 'Open this line in the editor', () => this.openSource(this.runIndex, source)));
    }
    const element = h('tr', { attrs: { tabindex: index === this.focusedRow ? '0' : '-1' } }, [
      h('td', { text: formatDuration(row.start) }),
      h('td', { text: row.duration === undefined ? 'instant' : formatDuration(row.duration) }),
      h('td', { text: row.lane }),
      h('td', { text: row.kind }),
      h('th', { text: row.name, attrs: { scope: 'row' } }),
      sourceCell,
    ]);
    element.addEventListener('focus', () => {
      this.focusedRow = index;
    });
    return element;
  }

  private focusRow(index: number): void {
    const rows = Array.from(this.body.rows);
    const target = rows[Math.max(0, Math.min(index, rows.length - 1))];
    if (!target) {
      return;
    }
    for (const row of rows) {
      row.tabIndex = row === target ? 0 : -1;
    }
    target.focus();
  }

  private onKey(event: KeyboardEvent): void {
    const moves: Readonly<Record<string, number>> = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 };
    if (event.key in moves) {
      event.preventDefault();
      this.focusRow(this.focusedRow + moves[event.key]);
    } else if (event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      this.focusRow(event.key === 'Home' ? 0 : this.rows.length - 1);
    } else if (event.key === 'Enter' && event.target instanceof HTMLTableRowElement) {
      const source = this.rows[this.focusedRow]?.source;
      if (source) {
        event.preventDefault();
        this.openSource(this.runIndex, source);
      }
    }
  }
}
