/**
 * The hint ladder of a lab, from gentle to explicit, and the rule that unlocks the reference solution.
 * Pure (no `vscode`), so the rules are unit-tested on their own.
 */

export interface HintStep {
  /** 1-based number of the hint to show. */
  readonly number: number;
  /** How many hints count as seen after showing it (hints are seen in order, so this is a count). */
  readonly seenAfter: number;
  /** Why this one: the next on the ladder, the one the last failure named, or all are already seen. */
  readonly reason: 'next' | 'fitsFailure' | 'allSeen';
}

/**
 * The hint Show Hint reveals. A hint the last failure named wins when it is further up the ladder than
 * the learner has climbed (it fits what went wrong); otherwise the next one in order. Once every hint is
 * seen, the named (or last) hint is shown again.
 */
export function planHint(seen: number, total: number, suggested: number | null | undefined): HintStep | undefined {
  if (total <= 0) {
    return undefined;
  }
  const already = Math.max(0, Math.min(seen, total));
  const fits = suggested !== null && suggested !== undefined && suggested >= 1 && suggested <= total ? suggested : undefined;
  if (fits !== undefined && fits > already) {
    return { number: fits, seenAfter: fits, reason: 'fitsFailure' };
  }
  if (already < total) {
    return { number: already + 1, seenAfter: already + 1, reason: 'next' };
  }
  return { number: fits ?? total, seenAfter: total, reason: 'allSeen' };
}

/**
 * A hint (written in Markdown for the hints document) as plain text, for places that show text as typed:
 * notifications, diagnostics and test messages. Code spans lose their backticks, emphasis its stars, links
 * keep their text.
 */
export function asPlainText(markdown: string): string {
  return markdown
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/(`+)(.+?)\1/g, '$2')
    .replace(/(\*\*|__)(.+?)\1/g, '$2');
}

export function hintLabel(number: number, total: number): string {
  return `Hint ${number} of ${total}`;
}

/** What a failure message says about hints: the text when already seen, else where to find it. */
export function hintAdvice(hint: number | null | undefined, hints: readonly string[], seen: number): string | undefined {
  if (!hint || hint < 1 || hint > hints.length) {
    return undefined;
  }
  const label = hintLabel(hint, hints.length);
  return hint <= seen ? `${label}: ${asPlainText(hints[hint - 1])}` : `Stuck? Show Hint (${label.toLowerCase()} fits this failure).`;
}

export interface SolutionState {
  readonly unlocked: boolean;
  /** Why it is locked and what unlocks it; empty when unlocked. */
  readonly explanation: string;
}

/**
 * The reference solution opens once the lab is passed, or after `afterFailedChecks` failed Checks
 * (0 means: only after passing).
 */
export function solutionState(passed: boolean, failedChecks: number, afterFailedChecks: number): SolutionState {
  const threshold = Number.isFinite(afterFailedChecks) ? Math.max(0, Math.floor(afterFailedChecks)) : 0;
  if (passed || (threshold > 0 && failedChecks >= threshold)) {
    return { unlocked: true, explanation: '' };
  }
  if (threshold === 0) {
    return { unlocked: false, explanation: 'The reference solution unlocks once you pass this lab (setting concurrencyLabs.solutionAfterFailedChecks is 0).' };
  }
  const left = threshold - failedChecks;
  return {
    unlocked: false,
    explanation:
      `The reference solution unlocks when you pass this lab, or after ${threshold} failed Checks ` +
      `(${failedChecks} so far, ${left} to go). Show Hint may get you there sooner.`,
  };
}
