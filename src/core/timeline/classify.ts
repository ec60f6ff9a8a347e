/**
 * Decides what a span or marker stands for from its category and name. Concurrency Labs' recorder sets the
 * category exactly (docs/trace-format.md); foreign traces get a best guess from words in cat and name, and
 * anything unrecognised is `other`, which still draws.
 */
import { MarkerKind, SpanKind } from './model';

const EXACT_SPAN: Readonly<Record<string, SpanKind>> = {
  process: 'process',
  thread: 'thread',
  task: 'task',
  step: 'step',
  work: 'work',
  'lock-wait': 'lockWait',
  'lock-hold': 'lockHold',
  request: 'request',
  call: 'call',
};

const GUESSES: readonly (readonly [RegExp, SpanKind])[] = [
  [/lock.*(wait|acquir|block)|(wait|acquir|block).*lock/i, 'lockWait'],
  [/lock.*(hold|held|own)|(hold|held|own).*lock|critical/i, 'lockHold'],
  [/\bprocess\b|subprocess|multiprocessing/i, 'process'],
  [/\bthread\b/i, 'thread'],
  [/\btask\b|asyncio|coroutine/i, 'task'],
  [/\bwork\b|executor|future|\bjob\b/i, 'work'],
  [/request|http|fetch|download|server|\bnet/i, 'request'],
  [/\bcall\b|function/i, 'call'],
];

export function spanKind(cat: string, name: string): SpanKind {
  const exact = EXACT_SPAN[cat];
  if (exact) {
    return exact;
  }
  for (const [pattern, kind] of GUESSES) {
    if (pattern.test(cat)) {
      return kind;
    }
  }
  for (const [pattern, kind] of GUESSES) {
    if (pattern.test(name)) {
      return kind;
    }
  }
  return 'other';
}

export function markerKind(cat: string, name: string): MarkerKind {
  const text = `${cat} ${name}`;
  if (/lost|race/i.test(text)) {
    return 'lostUpdate';
  }
  if (/cancel|timeout|timed out/i.test(text)) {
    return 'cancel';
  }
  if (/error|exception|fail|crash|raise/i.test(text)) {
    return 'error';
  }
  return 'other';
}
