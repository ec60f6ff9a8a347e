// Timeline render: a trace of 10,000 and of 100,000 spans posted to the real webview bundle in headless
// Chromium (the browser test's harness), timed from the post to the frame that shows it, then redraws
// as the wheel zooms in and out.
import { bigTrace, startHarness } from '../../test/browser/timelineHarness.mjs';
import { row } from './report.mjs';

export const SIZES = [10_000, 100_000];
/** Wheel steps per run: in, in, out, out, so every run draws the same views. */
const ZOOMS = [-300, -300, 300, 300];

/** In the page: posts the snapshot and resolves with the ms until the frame after it was drawn. */
function timeFirstPaint(runs) {
  const stats = window.__timelineStats;
  const loads = stats.loads;
  const began = performance.now();
  window.postMessage({ type: 'snapshot', runs }, '*');
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (stats.loads === loads) {
        setTimeout(poll, 0);
      } else if (document.body.dataset.state !== 'rendered') {
        reject(new Error(`the timeline did not draw the trace: state ${document.body.dataset.state}`));
      } else {
        // The canvas is drawn; what the learner sees is the frame that presents it.
        requestAnimationFrame(() => resolve(performance.now() - began));
      }
    };
    poll();
  });
}

async function zoomOnce(page, box, delta) {
  const before = await page.evaluate(() => window.__timelineStats.frames);
  await page.mouse.wheel(0, delta);
  await page.waitForFunction((frames) => window.__timelineStats.frames > frames, before, { timeout: 10_000 });
  return page.evaluate(() => window.__timelineStats.frameMs[window.__timelineStats.frameMs.length - 1]);
}

/**
 * Each run in a fresh page, as a newly opened panel is: a page that has drawn the trace before has its
 * code compiled hot and draws it three times faster, which a learner opening the timeline does not get.
 */
async function measureSize(harness, spans, runs) {
  const trace = [{ id: `bench-${spans}`, label: `${spans} spans`, text: bigTrace(spans) }];
  const paints = [];
  const redraws = [];
  for (let index = -1; index < runs; index += 1) {
    const page = await harness.open();
    const paint = await page.evaluate(timeFirstPaint, trace);
    const box = await page.locator('canvas').boundingBox();
    await page.mouse.move(box.x + box.width * 0.6, box.y + Math.min(200, box.height / 2));
    const frames = [];
    for (const delta of ZOOMS) {
      frames.push(await zoomOnce(page, box, delta));
    }
    await page.context().close();
    if (index >= 0) {
      paints.push(paint);
      redraws.push(...frames);
    }
  }
  return { paints, redraws };
}

export async function benchTimeline({ runs, log }) {
  const harness = await startHarness();
  try {
    const rows = [];
    for (const spans of SIZES) {
      const label = spans.toLocaleString('en-US');
      log(`timeline: ${label} spans`);
      const { paints, redraws } = await measureSize(harness, spans, runs);
      rows.push(row('timeline', `timeline first paint, ${label} spans`, 'ms', paints, { target: { max: 500 } }));
      rows.push(row('timeline', `timeline redraw on zoom, ${label} spans`, 'ms', redraws, { target: { max: 16 }, note: `${ZOOMS.length} wheel steps per run` }));
    }
    if (harness.pageErrors.length > 0) {
      throw new Error(`the timeline page reported errors: ${harness.pageErrors.join('; ')}`);
    }
    return rows;
  } finally {
    await harness.close();
  }
}
