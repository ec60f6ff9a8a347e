// What a learner sees and does in the VS Code workbench, as DOM queries and user input. Every wait is
// bounded and says, when it runs out, what it was waiting for.

/** Long enough for a Check of a racy lab on a loaded 2-core machine; only a broken step waits this long. */
export const LONG_MS = 60_000;
export const SHORT_MS = 15_000;

/** Monaco renders spaces as no-break spaces; compare text as the learner reads it. */
export function plain(text) {
  return (text ?? '').replace(/\u00a0/g, ' ');
}

/** Polls `probe` until it returns something truthy; throws naming `what` after `timeoutMs`. */
export async function waitUntil(what, probe, timeoutMs = SHORT_MS, intervalMs = 50) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) {
        return value;
      }
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`waited ${Math.round(timeoutMs / 1000)} s for ${what}${last ? ` (last error: ${last.message.split('\n')[0]})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Waits for a locator to show, with a message in the learner's terms rather than a selector dump. */
export async function visible(locator, what, timeoutMs = SHORT_MS) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout: timeoutMs });
  } catch {
    throw new Error(`waited ${Math.round(timeoutMs / 1000)} s and never saw ${what}`);
  }
  return locator.first();
}

export function attribute(value) {
  return JSON.stringify(value);
}

/** Opens a view container from the activity bar (Explorer, Testing, Concurrency Labs). */
export async function openActivity(page, label) {
  const item = await visible(page.locator(`.activitybar .action-item a[aria-label^=${attribute(label)}], .activitybar .action-item .action-label[aria-label^=${attribute(label)}]`), `the "${label}" icon in the activity bar`);
  const container = item.locator('xpath=ancestor-or-self::li[1]');
  // Clicking the icon of the view already shown would hide the side bar instead.
  if ((await container.getAttribute('aria-selected').catch(() => null)) !== 'true' && !(await container.evaluate((li) => li.classList.contains('checked')).catch(() => false))) {
    await item.click();
  }
  return visible(page.locator('.part.sidebar'), `the ${label} side bar`);
}

/** The aria-labels of the rows of every tree and list in the side bar, top to bottom. */
export async function sideBarRows(page) {
  return page.locator('.part.sidebar .monaco-list-row').evaluateAll((rows) =>
    rows
      .map((row) => ({ label: row.getAttribute('aria-label') ?? '', level: Number(row.getAttribute('aria-level') ?? 0), top: row.getBoundingClientRect().top }))
      .sort((a, b) => a.top - b.top)
      .map(({ label, level }) => ({ label, level })),
  );
}

/** A row of the side bar whose aria-label starts with `prefix`. */
export function sideBarRow(page, prefix) {
  return page.locator(`.part.sidebar .monaco-list-row[aria-label^=${attribute(prefix)}]`);
}

/** Runs a command from the palette (F1), as a user types it. */
export async function runCommand(page, title) {
  const input = page.locator('.quick-input-widget .quick-input-box input').first();
  // F1 pressed while a webview has the focus travels through the webview first and can be lost: retry.
  await waitUntil('the command palette', async () => {
    if (!(await input.isVisible())) {
      await page.keyboard.press('F1');
    }
    await input.fill(`>${title}`, { timeout: 2000 });
    return true;
  });
  await visible(page.locator(`.quick-input-list .monaco-list-row[aria-label^=${attribute(title)}]`), `"${title}" in the command palette`);
  await page.keyboard.press('Enter');
}

/** The notification toasts on screen, as their aria-labels (message, source and buttons). */
export async function notifications(page) {
  return page.locator('.notifications-toasts .notification-list-item').evaluateAll((items) => items.map((item) => item.getAttribute('aria-label') ?? item.textContent ?? ''));
}

/** Waits for a toast whose text contains `text`; returns its locator. */
export async function notification(page, text, what, timeoutMs = SHORT_MS) {
  const toast = page.locator('.notifications-toasts .notification-toast').filter({ hasText: text });
  await visible(toast, what, timeoutMs);
  // A toast slides in; until it has, a screenshot shows it half transparent.
  await waitUntil(`${what} to finish appearing`, () => toast.first().evaluate((node) => node.classList.contains('notification-fade-in-done')));
  return toast.first().locator('.notification-list-item').first();
}

/** The editor group whose tab `tabLabel` is open. */
export function editorGroup(page, tabLabel) {
  return page.locator('.editor-group-container').filter({ has: tab(page, tabLabel) });
}

/** A tab by its file name; with several groups the workbench appends ", Editor Group N" to the label. */
export function tab(page, tabLabel) {
  return page.locator(`.tabs-container .tab[aria-label=${attribute(tabLabel)}], .tabs-container .tab[aria-label^=${attribute(`${tabLabel}, `)}]`);
}

/** The visible lines of the text editor in `group`: { number, text }, top to bottom. */
export async function editorLines(group) {
  return group.locator('.monaco-editor').first().evaluate((editor) => {
    const byTop = (selector) => [...editor.querySelectorAll(selector)].map((node) => ({ top: Math.round(node.getBoundingClientRect().top), text: node.textContent ?? '' }));
    const numbers = byTop('.line-numbers');
    const texts = byTop('.view-lines .view-line');
    return numbers
      .map((number) => ({ number: Number(number.text), text: texts.find((line) => Math.abs(line.top - number.top) < 3)?.text ?? '' }))
      .filter((line) => Number.isFinite(line.number) && line.number > 0)
      .sort((a, b) => a.number - b.number);
  });
}

/** Line numbers (1-based) that carry an error squiggle in the text editor of `group`. */
export async function squiggleLines(group) {
  return group.locator('.monaco-editor').first().evaluate((editor) => {
    const numbers = [...editor.querySelectorAll('.line-numbers')].map((node) => ({ top: node.getBoundingClientRect().top, number: Number(node.textContent) }));
    const lines = new Set();
    for (const squiggle of editor.querySelectorAll('.squiggly-error')) {
      const top = squiggle.getBoundingClientRect().top;
      const line = numbers.find((candidate) => Math.abs(candidate.top - top) < 3);
      if (line) {
        lines.add(line.number);
      }
    }
    return [...lines].sort((a, b) => a - b);
  });
}

/** The text of a modal dialog on screen, and its buttons. */
export async function dialog(page, what, timeoutMs = SHORT_MS) {
  const box = await visible(page.locator('.monaco-dialog-box'), what, timeoutMs);
  const text = plain(await box.locator('.dialog-message-text, .dialog-message-detail').allTextContents().then((parts) => parts.join('\n')));
  return { box, text, button: (label) => box.locator('.dialog-buttons a.monaco-button, .dialog-buttons .monaco-button').filter({ hasText: label }) };
}

/** Puts the cursor at the start of line `number` of the focused editor (Go to Line, Ctrl+G). */
export async function goToLine(page, number) {
  await page.keyboard.press('Control+g');
  const input = await visible(page.locator('.quick-input-widget .quick-input-box input'), 'the Go to Line box');
  await input.fill(`:${number}`);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: SHORT_MS });
}

/**
 * Replaces `count` lines from line `from` of the focused editor with `lines`, as a learner retypes them:
 * delete the old lines, then a new line after the one above for each, with its own indentation. The
 * editor's auto-indent is overwritten line by line, so what ends up in the file is exactly `lines`.
 */
export async function replaceLines(page, from, count, lines) {
  await goToLine(page, from);
  for (let removed = 0; removed < count; removed += 1) {
    await page.keyboard.press('Control+Shift+K');
  }
  await goToLine(page, from - 1);
  await page.keyboard.press('End');
  for (const line of lines) {
    await page.keyboard.press('Enter');
    await page.keyboard.press('Shift+Home');
    // On an empty line the selection is empty and a Backspace would join it to the line above.
    await page.keyboard.insertText(line.length > 0 ? line : ' ');
    if (line.length === 0) {
      await page.keyboard.press('Backspace');
    }
  }
}

/** Brings the editor of `tabLabel` to the front and puts the keyboard focus in its text. */
export async function focusEditor(page, tabLabel) {
  // A preview that finishes loading takes the focus, so click again until the editor keeps it.
  await waitUntil(`the keyboard focus in ${tabLabel}`, async () => {
    await tab(page, tabLabel).first().click({ timeout: 2000 });
    await editorGroup(page, tabLabel).locator('.monaco-editor .view-lines').first().click({ position: { x: 200, y: 5 }, timeout: 2000 });
    await page.waitForTimeout(150);
    return page.evaluate(() => document.activeElement?.classList.contains('inputarea') ?? false);
  });
}

/** Throws `message` (what the learner would have seen go wrong) unless `condition` holds. */
export function expect(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

/**
 * `selector` inside whichever webview shows it (the markdown preview, the timeline), or undefined.
 * Webviews are two iframes deep, outside the editor part, one pair per webview the workbench keeps.
 */
export async function inWebview(page, selector) {
  const outer = page.locator('iframe.webview.ready');
  for (let index = 0; index < (await outer.count()); index += 1) {
    const found = outer.nth(index).contentFrame().locator('iframe').contentFrame().locator(selector);
    if ((await found.count()) > 0) {
      return found.first();
    }
  }
  return undefined;
}

/**
 * Chooses `label` in the open context menu. The menu acts on the item under the pointer when Enter is
 * pressed; a synthetic click can arrive before the menu accepts clicks and be lost.
 */
export async function menuItem(page, label, menu) {
  const item = await visible(page.locator('.context-view .monaco-menu .action-item').filter({ has: page.locator('.action-label', { hasText: new RegExp(`^${label}$`) }) }), `${label} in ${menu}`);
  await item.hover();
  await waitUntil(`${label} highlighted in ${menu}`, () => item.evaluate((node) => node.classList.contains('focused')));
  await page.keyboard.press('Enter');
  await page.locator('.context-view .monaco-menu').waitFor({ state: 'hidden', timeout: SHORT_MS });
}

/** Dismisses every notification, so the next one on screen (and in the screenshot) is the step's own. */
export async function clearNotifications(page) {
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.notifications-toasts .notification-list-item').first().waitFor({ state: 'hidden', timeout: SHORT_MS }).catch(() => {});
}

/**
 * An action of the editor title bar of `tabLabel` (Check Lab), once that editor is the active one: the
 * title bar shows its actions only on the active group, and a preview that finishes loading can take
 * the focus back, so focus and look again until the action is there.
 */
export async function editorAction(page, tabLabel, action) {
  return waitUntil(`${action} in the title bar of ${tabLabel}`, async () => {
    await focusEditor(page, tabLabel);
    const button = page.locator(`.editor-group-container.active .editor-actions .action-label[aria-label^=${attribute(action)}]`).first();
    return (await button.isVisible()) ? button : undefined;
  });
}

/** The first heading of the instructions' preview, once the preview has rendered. */
export async function instructionsHeading(page) {
  const heading = await waitUntil('the instructions rendered in the preview', () => inWebview(page, '.markdown-body h1, body h1'), LONG_MS);
  return plain(await heading.textContent()).trim();
}
