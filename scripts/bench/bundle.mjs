// Bundle: the minified extension bundle and the VSIX, read from the VSIX this run packaged (what a learner
// downloads), so a development build elsewhere in the tree cannot be measured by mistake.
import { readFileSync, statSync } from 'node:fs';
import { row } from './report.mjs';
import { zipEntries } from './zip.mjs';

export const BUNDLE_ENTRY = 'extension/dist/extension.js';
const KB = 1024;

/** Sizes are the same on every run of one build: one sample each. */
export function benchBundle({ vsix }) {
  const entries = zipEntries(readFileSync(vsix));
  const bundle = entries.find((entry) => entry.name === BUNDLE_ENTRY);
  if (!bundle) {
    throw new Error(`the VSIX has no ${BUNDLE_ENTRY}: was it packaged by scripts/package.mjs?`);
  }
  const largest = [...entries].sort((a, b) => b.compressedSize - a.compressedSize).slice(0, 5).map(({ name, size, compressedSize }) => ({ name, size, compressedSize }));
  return [
    row('bundle', 'bundle dist/extension.js (minified)', 'KB', [bundle.size / KB], { target: { max: 300 }, note: 'one build: sizes do not vary between runs' }),
    row('bundle', 'VSIX', 'KB', [statSync(vsix).size / KB], { target: { max: 1024 }, extra: { files: entries.length, largest } }),
  ];
}
