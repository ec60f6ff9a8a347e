// Runs the scenario's steps in order: one line per step (✓/✗), a screenshot of each step as it ended
// (kept when it failed, so the failure can be seen), and a step that needs a failed one is reported as
// failed too, naming the step it waited for, rather than skipped.
import { join } from 'node:path';

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * `steps`: [{ number, name, title, needs: [numbers], run(ctx) }]. `ctx.shot(suffix?)` saves
 * `NN-name[-suffix].png` in `outDir`. Returns [{ number, title, ok, error?, screenshot? }].
 */
export async function runSteps(steps, ctx, { outDir, results = [] }) {
  for (const step of steps) {
    const prefix = `${String(step.number).padStart(2, '0')}-${step.name}`;
    const blocked = (step.needs ?? []).map((number) => results.find((result) => result.number === number)).find((result) => !result?.ok);
    if (blocked) {
      const error = `not run: it needs step ${blocked.number} (${blocked.title}), which failed`;
      results.push({ number: step.number, title: step.title, ok: false, error });
      console.log(`✗ ${step.number}. ${step.title}\n    ${error}`);
      continue;
    }
    const screenshot = join(outDir, `${prefix}.png`);
    const shots = [];
    const shot = async (suffix) => {
      const file = suffix ? join(outDir, `${prefix}-${suffix}.png`) : screenshot;
      const page = ctx.page();
      // A tooltip left under the pointer would cover what the step shows; the title bar's right end is empty.
      const { width } = page.viewportSize();
      await page.mouse.move(width - 320, 14);
      await page.screenshot({ path: file, timeout: 15_000 });
      shots.push(file);
      return file;
    };
    const started = Date.now();
    try {
      await step.run({ ...ctx, shot });
      await shot();
      results.push({ number: step.number, title: step.title, ok: true, screenshot });
      console.log(`✓ ${step.number}. ${step.title} (${seconds(Date.now() - started)})`);
    } catch (error) {
      // What was on screen when the step gave up is the first thing to look at.
      const saved = await shot().catch((shotError) => `no screenshot: ${shotError.message}`);
      const message = String(error?.message ?? error);
      results.push({ number: step.number, title: step.title, ok: false, error: message, screenshot: saved });
      console.log(`✗ ${step.number}. ${step.title} (${seconds(Date.now() - started)})`);
      console.log(message.split('\n').map((line) => `    ${line}`).join('\n'));
      console.log(`    screenshot: ${saved}`);
    }
  }
  return results;
}
