/**
 * A tiny element builder. Text always goes in through textContent, never HTML: span names, args and file
 * paths come from the learner's program and must not become markup.
 */

export interface Props {
  readonly className?: string;
  readonly text?: string;
  readonly attrs?: Readonly<Record<string, string>>;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, children: readonly (Node | string)[] = []): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.className) {
    element.className = props.className;
  }
  if (props.text !== undefined) {
    element.textContent = props.text;
  }
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    element.setAttribute(name, value);
  }
  for (const child of children) {
    element.append(child);
  }
  return element;
}

export function button(label: string, title: string, onClick: () => void): HTMLButtonElement {
  const element = h('button', { text: label, attrs: { type: 'button', title } });
  element.addEventListener('click', onClick);
  return element;
}
