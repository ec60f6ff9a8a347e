// Steps 1–6 of the learner's scenario, in one trusted VS Code: browse the labs, start the thread race
// lab, check the starter, type a fix and check again, look at the timeline, take a hint and reset.
// Each step asserts on what is on screen and leaves a screenshot behind (lib/steps.mjs).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LAB_ID, PARTS } from './lib/expected.mjs';
import { planRaceFix } from './lib/raceFix.mjs';
import * as ui from './lib/workbench.mjs';

const STATUS = /, (not started|in progress|passed|failed): /;

function partPrefix(part) {
  return `Part ${part.numeral}: ${part.title} — `;
}

function labRow(page, lab) {
  return ui.sideBarRow(page, `${lab.title}, `);
}

async function labStatus(page, lab) {
  const label = (await labRow(page, lab).first().getAttribute('aria-label', { timeout: ui.SHORT_MS })) ?? '';
  return label.match(STATUS)?.[1];
}

/** "N of M labs passed" of a part's row. */
async function partCount(page, part) {
  const label = (await ui.sideBarRow(page, partPrefix(part)).first().getAttribute('aria-label', { timeout: ui.SHORT_MS })) ?? '';
  const match = label.match(/(\d+) of (\d+) labs passed/);
  ui.expect(match, `the row of Part ${part.numeral} says "${label}", not how many of its labs passed`);
  return { passed: Number(match[1]), total: Number(match[2]) };
}

/** Clicks an action that shows on a tree row when the pointer is over it (▶ Start Lab, the beaker). */
async function rowAction(page, row, action) {
  await row.hover();
  const button = await ui.visible(row.locator(`.action-label[aria-label^=${ui.attribute(action)}]`), `the "${action}" button on the row`);
  return button;
}

/** Clicks Check Lab in the entry file's title bar; returns the status the Labs view then shows and how long that took. */
async function checkFromEditor(ctx, entry, lab) {
  const page = ctx.page();
  await ui.openActivity(page, 'Concurrency Labs');
  const before = await labStatus(page, lab);
  const beaker = await ui.editorAction(page, entry, 'Check Lab');
  // The Labs view keeps its old status until the Check is over, so the verdict on screen is a changed
  // status. Every Check of this scenario changes it (not started → failed → passed); one that does not
  // is a failure, reported after the bound.
  const clicked = Date.now();
  await beaker.click();
  const verdict = await ui.waitUntil(
    `the Labs view to change "${lab.title}" from "${before}" to a verdict`,
    async () => {
      const label = (await labRow(page, lab).first().getAttribute('aria-label')) ?? '';
      const status = label.match(STATUS)?.[1];
      return (status === 'passed' || status === 'failed') && status !== before ? status : undefined;
    },
    ui.LONG_MS,
    20,
  );
  return { status: verdict, ms: Date.now() - clicked };
}

/**
 * When a Check opened the timeline beside the editor (the default), waits until it has drawn the run, so
 * the step's screenshot shows it. Whether the timeline opens at all is step 5's question.
 */
async function timelineSettled(page) {
  if ((await page.locator('.tabs-container .tab[aria-label^="Timeline"]').count()) === 0) {
    return;
  }
  await ui.waitUntil('the timeline opened by Check to draw the run', async () => {
    const body = await ui.inWebview(page, 'body[data-state]');
    const state = body && (await body.getAttribute('data-state'));
    return state && state !== 'waiting';
  }, ui.LONG_MS);
}

/** Expands a collapsed tree row by clicking it, as a learner opens a folder or a test. */
async function expand(row) {
  if ((await row.getAttribute('aria-expanded')) === 'false') {
    await row.click();
  }
}

/** The check rows of the lab in the Test Explorer: { title, state } with state Passed, Failed, … */
async function testExplorerChecks(page, lab) {
  await ui.openActivity(page, 'Testing');
  const labItem = await ui.visible(page.locator('.part.sidebar .monaco-list-row').filter({ hasText: lab.manifest.title }), `"${lab.manifest.title}" in the Test Explorer`);
  await expand(labItem);
  return ui.waitUntil('a result on every check in the Test Explorer', async () => {
    const rows = await ui.sideBarRows(page);
    const checks = lab.manifest.checks.map((check) => {
      const row = rows.find((candidate) => candidate.label.startsWith(`${check.title} (`));
      // The title may hold parentheses of its own: the state is the first after it.
      return { id: check.id, title: check.title, state: row?.label.slice(check.title.length).match(/^ \((\w[\w ]*)\)/)?.[1] };
    });
    return checks.every((check) => check.state && check.state !== 'Queued' && check.state !== 'Running') ? checks : undefined;
  });
}

/** The Problems panel's rows of `file`: { text, line }. */
async function problems(page, file) {
  await page.keyboard.press('Control+Shift+M');
  await ui.visible(page.locator('.markers-panel'), 'the Problems panel');
  const rows = await ui.waitUntil('the Concurrency Labs problems', async () => {
    const labels = await page.locator('.markers-panel .monaco-list-row').evaluateAll((items) => items.map((item) => item.getAttribute('aria-label') ?? ''));
    const found = labels.filter((label) => label.endsWith('generated by Concurrency Labs'));
    return found.length > 0 ? labels : undefined;
  });
  ui.expect(rows.some((label) => label.includes(`in file ${file}`)), `the Problems panel lists no problem in ${file}: ${rows.join(' | ')}`);
  return rows
    .filter((label) => label.endsWith('generated by Concurrency Labs'))
    .map((label) => ({ text: label, line: Number(label.match(/ at line (\d+) and character \d+/)?.[1]) }));
}

export function learnerSteps({ labs, lab, timings }) {
  const entry = lab.manifest.entry;
  const title = lab.manifest.title;
  const listedLab = labs.find((candidate) => candidate.id === LAB_ID);
  const part = PARTS.find((candidate) => candidate.number === lab.manifest.part);
  const fix = planRaceFix(lab.starter);
  const state = {};

  return [
    {
      number: 1,
      name: 'labs-view',
      title: 'Open the Labs view: the four parts and every lab are there',
      async run(ctx) {
        const page = ctx.page();
        await ui.openActivity(page, 'Concurrency Labs');
        await ui.visible(ui.sideBarRow(page, 'Part '), 'a part in the Labs view');
        // The expected rows: each part that has labs, followed by its labs in teaching order.
        const expected = PARTS.flatMap((candidate) => {
          const inPart = labs.filter((item) => item.part === candidate.number);
          return inPart.length === 0 ? [] : [{ level: 1, label: `${partPrefix(candidate)}0 of ${inPart.length} labs passed` }, ...inPart.map((item) => ({ level: 2, label: `${item.title}, not started: ${item.description}` }))];
        });
        const rows = await ui.waitUntil(`all ${expected.length} rows of the Labs view`, async () => {
          const found = await ui.sideBarRows(page);
          return found.length >= expected.length ? found : undefined;
        });
        for (const [index, want] of expected.entries()) {
          const got = rows[index];
          ui.expect(got?.label === want.label && got.level === want.level, `row ${index + 1} of the Labs view is "${got?.label}" (level ${got?.level}); expected "${want.label}" (level ${want.level})`);
        }
        ui.expect(rows.length === expected.length, `the Labs view has ${rows.length} rows; the catalog (dist/cli.js list --json) has ${expected.length}: ${rows.slice(expected.length).map((row) => row.label).join(' | ')}`);
        const missing = PARTS.filter((candidate) => !labs.some((item) => item.part === candidate.number));
        ui.expect(
          missing.length === 0,
          `${missing.map((candidate) => `Part ${candidate.numeral} (${candidate.title})`).join(' and ')} is not in the Labs view: no lab of that part exists yet (labs/*/lab.json with "part": ${missing.map((candidate) => candidate.number).join(', ')}). Every lab that exists is shown.`,
        );
      },
    },
    {
      number: 2,
      name: 'start-lab',
      title: `Start the thread race lab: its files appear in the Explorer, the instructions and ${entry} open`,
      async run(ctx) {
        const page = ctx.page();
        ui.expect(listedLab, `the catalog has no lab "${LAB_ID}"`);
        await ui.openActivity(page, 'Concurrency Labs');
        const row = await ui.visible(labRow(page, listedLab), `"${listedLab.title}" in the Labs view`);
        const start = await rowAction(page, row, 'Start Lab');
        const firstLine = lab.starter.split('\n')[0];
        const clicked = Date.now();
        await start.click();
        // Open means: the tab is there and the editor shows the file's text.
        await ui.waitUntil(`${entry} open in an editor`, async () => {
          const group = ui.editorGroup(page, entry);
          if ((await group.count()) === 0) {
            return false;
          }
          const lines = await ui.editorLines(group.first());
          return ui.plain(lines[0]?.text) === firstLine;
        }, ui.LONG_MS, 10);
        timings.startLab.push(Date.now() - clicked);

        await ui.visible(ui.tab(page, 'Preview README.md'), 'the instructions (Preview README.md) beside the file');
        const shown = await ui.instructionsHeading(page);
        ui.expect(shown === title, `the instructions start with "${shown}", not the lab's title "${title}"`);
        ui.expect((await labStatus(page, listedLab)) === 'in progress', `the Labs view shows "${await labStatus(page, listedLab)}" for the started lab, not "in progress"`);

        await ui.openActivity(page, 'Explorer');
        for (const folder of ['concurrency-labs', LAB_ID]) {
          await expand(await ui.visible(page.locator(`.part.sidebar .monaco-list-row[aria-label=${ui.attribute(folder)}]`), `the ${folder} folder in the Explorer`));
        }
        const wanted = [...lab.manifest.files, 'README.md'];
        const rows = await ui.waitUntil(`${wanted.join(', ')} in the Explorer`, async () => {
          const found = await ui.sideBarRows(page);
          return wanted.every((file) => found.some((item) => item.label === file && item.level === 3)) ? found : undefined;
        });
        const hidden = readdirSync(join(lab.dir, 'checks')).filter((file) => rows.some((item) => item.label === file));
        ui.expect(hidden.length === 0, `the hidden checks were copied into the workspace: ${hidden.join(', ')}`);
        // The learner's typing starts here; the preview must not take the focus back afterwards.
        await ui.focusEditor(page, entry);
      },
    },
    {
      number: 3,
      name: 'check-starter',
      title: 'Check the starter: the Test Explorer shows the failing check, a squiggle on its line, the lab failed',
      needs: [2],
      async run(ctx) {
        const page = ctx.page();
        const { status, ms } = await checkFromEditor(ctx, entry, listedLab);
        timings.check.push(ms);
        timings.checkStarter = ms;
        ui.expect(status === 'failed', `the Labs view shows the starter as "${status}"; the starter must fail its checks`);
        await timelineSettled(page);

        const checks = await testExplorerChecks(page, lab);
        const failed = checks.filter((check) => check.state === 'Failed');
        ui.expect(failed.length > 0, `the Test Explorer shows no failed check: ${checks.map((check) => `${check.title} (${check.state})`).join(', ')}`);

        const found = await problems(page, entry);
        const named = found.find((problem) => problem.text.startsWith(`Error: ${failed[0].title}`));
        ui.expect(named && named.line > 0, `no problem names the failed check "${failed[0].title}" and a line: ${found.map((problem) => problem.text.split('\n')[0]).join(' | ')}`);
        const group = ui.editorGroup(page, entry).first();
        const squiggles = await ui.waitUntil(`a squiggle on line ${named.line} of ${entry}`, async () => {
          const lines = await ui.squiggleLines(group);
          return lines.includes(named.line) ? lines : undefined;
        });
        const unexplained = squiggles.filter((line) => !found.some((problem) => problem.line === line));
        ui.expect(unexplained.length === 0, `squiggles on lines ${unexplained.join(', ')} match no problem of the Check`);
        state.failedChecks = failed.map((check) => check.title);
        state.squiggles = squiggles;
      },
    },
    {
      number: 4,
      name: 'check-fixed',
      title: 'Type a fix, save, Check again: every check passes, the lab passed, the part count goes up',
      needs: [3],
      async run(ctx) {
        const page = ctx.page();
        // Close the Problems panel so the editor shows the whole file while typing.
        await page.keyboard.press('Control+Shift+M');
        await ui.openActivity(page, 'Concurrency Labs');
        const before = await partCount(page, part);
        await ui.focusEditor(page, entry);
        for (const edit of fix.edits) {
          await ui.replaceLines(page, edit.from, edit.count, edit.lines);
        }
        const group = ui.editorGroup(page, entry).first();
        const typed = (await ui.editorLines(group)).map((line) => ui.plain(line.text)).join('\n');
        const wanted = fix.fixed.split('\n').slice(0, typed.split('\n').length).join('\n');
        ui.expect(typed === wanted, `the editor does not show the typed fix:\n${typed}\n--- expected ---\n${wanted}`);
        await page.keyboard.press('Control+s');
        const file = join(ctx.workspace, 'concurrency-labs', LAB_ID, entry);
        await ui.waitUntil(`${entry} saved`, async () => existsSync(file) && readFileSync(file, 'utf8') === fix.fixed && !(await ui.tab(page, entry).first().evaluate((node) => node.classList.contains('dirty'))));

        const { status, ms } = await checkFromEditor(ctx, entry, listedLab);
        timings.check.push(ms);
        timings.checkFixed = ms;
        ui.expect(status === 'passed', `the Labs view shows the fixed lab as "${status}", not passed`);
        await timelineSettled(page);
        await ui.notification(page, `"${title}" passed all ${lab.manifest.checks.length} checks`, 'the notification that the lab passed');
        ui.expect((await ui.squiggleLines(group)).length === 0, `squiggles are left in ${entry} after every check passed`);

        const checks = await testExplorerChecks(page, lab);
        const notPassed = checks.filter((check) => check.state !== 'Passed');
        ui.expect(notPassed.length === 0, `the Test Explorer shows checks that did not pass: ${notPassed.map((check) => `${check.title} (${check.state})`).join(', ')}`);

        await ui.openActivity(page, 'Concurrency Labs');
        const after = await partCount(page, part);
        ui.expect(after.passed === before.passed + 1, `Part ${part.numeral} went from ${before.passed} to ${after.passed} of ${after.total} labs passed; expected ${before.passed + 1}`);
      },
    },
    {
      number: 5,
      name: 'timeline',
      title: 'The timeline opens with one lane per thread',
      needs: [4],
      async run(ctx) {
        const page = ctx.page();
        await ui.clearNotifications(page);
        await ui.focusEditor(page, entry);
        await ui.runCommand(page, 'Concurrency Labs: Show Timeline');
        const pending = page.locator('.notifications-toasts .notification-list-item').filter({ hasText: 'Show Timeline is not available' });
        const body = await ui.waitUntil('the timeline panel, or a message why it is missing', async () => {
          if (await pending.count()) {
            return 'missing';
          }
          const found = await ui.inWebview(page, 'body[data-state]');
          return found && (await found.getAttribute('data-state')) !== 'waiting' ? found : undefined;
        }, ui.LONG_MS);
        ui.expect(body !== 'missing', 'Show Timeline answered "Show Timeline is not available in this version of Concurrency Labs yet": the timeline panel (src/host/timeline) is not wired into the extension yet');
        const drawn = await body.getAttribute('data-state');
        ui.expect(drawn === 'rendered', `the timeline panel shows "${drawn}" instead of the run: ${ui.plain(await body.locator('.messages').textContent())}`);

        // The per-thread CPU list names every lane the canvas draws; a learner opens it with a click.
        const cpu = body.locator('details.cpu');
        await cpu.locator('summary').click();
        await ui.waitUntil('the list of threads in the timeline', async () => (await cpu.getAttribute('open')) !== null);
        const lanes = (await cpu.locator('li').allTextContents()).map((text) => ui.plain(text).replace(/: (CPU|\d).*$/, ''));
        const threads = ['MainThread', ...Array.from({ length: fix.workers }, (_, index) => `worker-${index}`)];
        const missing = threads.filter((thread) => !lanes.some((lane) => lane === thread || lane.endsWith(` ${thread}`)));
        ui.expect(missing.length === 0, `the timeline has no lane for ${missing.join(', ')}; its lanes: ${lanes.join(', ')}`);
        ui.expect(lanes.length === threads.length, `the timeline has ${lanes.length} lanes for ${threads.length} threads: ${lanes.join(', ')}`);

        await ctx.shot('threads');
        // The timeline at full width, as a learner studies it (and as the README shows it): lanes, not the list.
        await cpu.locator('summary').click();
        await (await ui.visible(page.locator('.tabs-container .tab[aria-label^="Timeline"]'), 'the timeline tab')).click();
        await ui.runCommand(page, 'View: Maximize Editor Group and Hide Side Bars');
        try {
          await ui.waitUntil('the timeline to fill the window', async () => (await page.locator('.part.sidebar').isHidden()) && !(await ui.tab(page, entry).first().isVisible()));
          // The canvas redraws on the resize a frame later.
          await page.waitForTimeout(300);
          await ctx.shot('wide');
        } finally {
          // The steps after this one work in the editor beside it.
          await ui.runCommand(page, 'View: Toggle Maximize Editor Group');
          await ui.visible(ui.tab(page, entry), `the ${entry} tab again after the timeline was shown at full width`);
        }
      },
    },
    {
      number: 6,
      name: 'hint-reset',
      title: 'Show Hint reveals the first hint; Reset Lab asks, restores the starter and keeps a backup',
      needs: [4],
      async run(ctx) {
        const page = ctx.page();
        await ui.clearNotifications(page);
        await ui.focusEditor(page, entry);
        await ui.runCommand(page, 'Concurrency Labs: Show Hint');
        // Notifications show text as typed, so the hint comes without its Markdown code marks.
        const first = lab.manifest.hints[0].replace(/`+/g, '').replace(/\*\*/g, '');
        const hint = await ui.notification(page, `Hint 1 of ${lab.manifest.hints.length}`, 'the notification with the first hint');
        const text = ui.plain(await hint.textContent());
        ui.expect(text.includes(first), `the hint notification says "${text}", not the first hint "${first}"`);
        await ctx.shot('hint');

        await ui.openActivity(page, 'Concurrency Labs');
        const row = labRow(page, listedLab).first();
        await row.click({ button: 'right' });
        await ui.menuItem(page, 'Reset Lab', "the lab's context menu");
        const asked = await ui.dialog(page, 'the dialog asking whether to reset the lab');
        ui.expect(asked.text.includes(`Reset "${title}" to its starter files?`) && asked.text.includes('.backups'), `the reset dialog says "${asked.text}"`);
        await ctx.shot('dialog');
        await asked.button('Reset').click();

        const done = await ui.notification(page, 'was reset', 'the notification that the lab was reset');
        const file = join(ctx.workspace, 'concurrency-labs', LAB_ID, entry);
        ui.expect(readFileSync(file, 'utf8') === lab.starter, `${file} is not the starter after Reset Lab`);
        const group = ui.editorGroup(page, entry).first();
        const starterLines = lab.starter.split('\n');
        await ui.waitUntil(`${entry} showing the starter again (the file on disk is the starter; the editor still shows the old text)`, async () => {
          const lines = await ui.editorLines(group);
          return lines.length > 0 && lines.every((line) => ui.plain(line.text) === starterLines[line.number - 1]);
        });

        await (await ui.visible(done.locator('.monaco-button').filter({ hasText: 'Reveal Backup' }), 'Reveal Backup on the notification')).click();
        const backups = join(ctx.workspace, 'concurrency-labs', '.backups', LAB_ID);
        const stamps = existsSync(backups) ? readdirSync(backups) : [];
        ui.expect(stamps.length === 1, `expected one backup in ${backups}, found ${stamps.length}`);
        ui.expect(readFileSync(join(backups, stamps[0], entry), 'utf8') === fix.fixed, `the backup ${join(backups, stamps[0], entry)} is not the fixed file that was reset`);
        await ui.visible(page.locator(`.part.sidebar .monaco-list-row[aria-label=${ui.attribute(stamps[0])}]`), `the backup folder ${stamps[0]} revealed in the Explorer`);
      },
    },
  ];
}
