/** Trace fixtures for the timeline tests: the hand-made files in fixtures/ and small traces built inline. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Span, Trace } from '../../../src/core/timeline/model';
import { parseTrace } from '../../../src/core/timeline/parseTrace';

/** Tests run from out/test/unit/timeline; the fixtures stay in the source tree. */
export const FIXTURES = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'unit', 'timeline', 'fixtures');

export function fixtureText(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

export function traceOf(text: string): Trace {
  const result = parseTrace(text);
  assert.ok(result.ok, result.ok ? '' : `expected a trace, got: ${result.problem.message}`);
  return result.trace;
}

export function fixtureTrace(name: string): Trace {
  return traceOf(fixtureText(name));
}

/** A trace from a list of events (object format, no otherData). */
export function eventsTrace(events: readonly unknown[], otherData?: object): Trace {
  return traceOf(JSON.stringify({ traceEvents: events, ...(otherData ? { otherData } : {}) }));
}

export function laneNamed(trace: Trace, name: string): Trace['lanes'][number] {
  const lane = trace.lanes.find((candidate) => candidate.name === name);
  assert.ok(lane, `no lane "${name}" among ${trace.lanes.map((l) => l.name).join(', ')}`);
  return lane;
}

/** A bare span for view-model tests that need no trace around it. */
export function span(start: number, end: number, overrides: Partial<Span> = {}): Span {
  return { id: 0, laneIndex: 0, depth: 0, start, end, name: `s${start}`, cat: 'work', kind: 'work', args: undefined, source: undefined, cpu: undefined, unfinished: false, ...overrides };
}

/** Deterministic pseudo-random numbers (a test that fails must fail the same way again). */
export function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
