// Summaries of repeated measurements: every figure is a median with its min and max, never one sample.

/** Median of a list of numbers (the mean of the two middle ones for an even count); null when empty. */
export function median(values) {
  if (values.length === 0) {
    return null;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** { median, min, max, samples } of the samples, or nulls when a figure could not be measured at all. */
export function summarize(samples) {
  const clean = samples.filter((value) => typeof value === 'number' && Number.isFinite(value));
  return {
    median: median(clean),
    min: clean.length > 0 ? Math.min(...clean) : null,
    max: clean.length > 0 ? Math.max(...clean) : null,
    samples: clean,
  };
}

/** Pairwise a[i] - b[i]: the cost of A over B for runs taken side by side. */
export function differences(a, b) {
  if (a.length !== b.length) {
    throw new Error(`paired samples differ in length: ${a.length} and ${b.length}`);
  }
  return a.map((value, index) => value - b[index]);
}

/** Pairwise a[i] / b[i]: the ratio of A to B for runs taken side by side. */
export function ratios(a, b) {
  if (a.length !== b.length) {
    throw new Error(`paired samples differ in length: ${a.length} and ${b.length}`);
  }
  return a.map((value, index) => value / b[index]);
}

/**
 * Runs `measureA` and `measureB` `runs` times each after one warm-up of both, alternating which goes
 * first, so that a slow spell of a noisy machine lands on both sides alike. Returns { a: [...], b: [...] }.
 * `more({ a, b })` asks for further pairs after that, up to `maxRuns` in all.
 */
export async function interleave(runs, measureA, measureB, { more = () => false, maxRuns = runs } = {}) {
  await measureA(-1);
  await measureB(-1);
  const a = [];
  const b = [];
  for (let index = 0; index < runs || (index < maxRuns && more({ a, b })); index += 1) {
    if (index % 2 === 0) {
      a.push(await measureA(index));
      b.push(await measureB(index));
    } else {
      b.push(await measureB(index));
      a.push(await measureA(index));
    }
  }
  return { a, b };
}

/** Runs `measure` once as a warm-up, then `runs` times; returns the kept samples. */
export async function repeat(runs, measure) {
  await measure(-1);
  const samples = [];
  for (let index = 0; index < runs; index += 1) {
    samples.push(await measure(index));
  }
  return samples;
}
