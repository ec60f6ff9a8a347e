/** The four parts of the curriculum, in teaching order. */
export interface Part {
  readonly number: 1 | 2 | 3 | 4;
  readonly numeral: string;
  readonly title: string;
}

export const PARTS: readonly Part[] = [
  { number: 1, numeral: 'I', title: 'Futures' },
  { number: 2, numeral: 'II', title: 'Threads' },
  { number: 3, numeral: 'III', title: 'Async I/O' },
  { number: 4, numeral: 'IV', title: 'Parallelism' },
];

export function partLabel(part: Part): string {
  return `${part.numeral}. ${part.title}`;
}
