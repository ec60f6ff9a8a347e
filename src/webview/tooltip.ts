/**
 * The hover card: a title and label/value lines near the pointer, kept inside the panel.
 */
import { Detail } from '../core/timeline/describe';
import { h } from './dom';

const OFFSET = 14;

export class Tooltip {
  readonly element = h('div', { className: 'tooltip', attrs: { role: 'tooltip', id: 'timeline-tooltip' } });

  constructor() {
    this.element.hidden = true;
  }

  show(clientX: number, clientY: number, title: string, details: readonly Detail[]): void {
    const rows = details.map((detail) => h('div', { className: 'row' }, [h('span', { className: 'label', text: detail.label }), h('span', { className: 'value', text: detail.value })]));
    this.element.replaceChildren(h('div', { className: 'title', text: title }), ...rows);
    this.element.hidden = false;
    const { offsetWidth: width, offsetHeight: height } = this.element;
    const left = clientX + OFFSET + width > window.innerWidth ? Math.max(0, clientX - OFFSET - width) : clientX + OFFSET;
    const top = clientY + OFFSET + height > window.innerHeight ? Math.max(0, clientY - OFFSET - height) : clientY + OFFSET;
    this.element.style.left = `${left}px`;
    this.element.style.top = `${top}px`;
  }

  hide(): void {
    this.element.hidden = true;
  }
}
