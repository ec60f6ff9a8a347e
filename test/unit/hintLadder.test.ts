import * as assert from 'node:assert/strict';
import { asPlainText, hintAdvice, planHint, solutionState } from '../../src/host/hints/hintLadder';

describe('hint ladder', () => {
  it('shows a Markdown hint as plain text where Markdown is not rendered', () => {
    assert.equal(
      asPlainText('`counter += 1` is **three** steps; see [the docs](https://docs.python.org) and ``a `b` c``.'),
      'counter += 1 is three steps; see the docs and a `b` c.',
    );
    assert.equal(asPlainText('2 * 3 * 4, no code'), '2 * 3 * 4, no code');
  });

  it('climbs one hint at a time when no failure names one', () => {
    assert.deepEqual(planHint(0, 4, null), { number: 1, seenAfter: 1, reason: 'next' });
    assert.deepEqual(planHint(2, 4, undefined), { number: 3, seenAfter: 3, reason: 'next' });
  });

  it('jumps to the hint the last failure named when it is further up', () => {
    assert.deepEqual(planHint(1, 4, 3), { number: 3, seenAfter: 3, reason: 'fitsFailure' });
  });

  it('a named hint already seen does not hold the ladder back', () => {
    assert.deepEqual(planHint(3, 4, 2), { number: 4, seenAfter: 4, reason: 'next' });
  });

  it('once every hint is seen, shows the named one (or the last) again', () => {
    assert.deepEqual(planHint(4, 4, 2), { number: 2, seenAfter: 4, reason: 'allSeen' });
    assert.deepEqual(planHint(4, 4, null), { number: 4, seenAfter: 4, reason: 'allSeen' });
    assert.deepEqual(planHint(9, 4, 7), { number: 4, seenAfter: 4, reason: 'allSeen' }, 'out-of-range input is clamped');
    assert.equal(planHint(0, 0, 1), undefined);
  });

  it('failure messages quote a seen hint and point to an unseen one', () => {
    const hints = ['use a pool', 'call map'];
    assert.equal(hintAdvice(2, hints, 2), 'Hint 2 of 2: call map');
    assert.equal(hintAdvice(2, hints, 1), 'Stuck? Show Hint (hint 2 of 2 fits this failure).');
    assert.equal(hintAdvice(3, hints, 2), undefined);
    assert.equal(hintAdvice(null, hints, 2), undefined);
  });
});

describe('solution unlock rule', () => {
  it('unlocks after passing, whatever the setting', () => {
    assert.equal(solutionState(true, 0, 0).unlocked, true);
    assert.equal(solutionState(true, 0, 5).unlocked, true);
  });

  it('unlocks after the set number of failed checks', () => {
    assert.equal(solutionState(false, 4, 5).unlocked, false);
    assert.equal(solutionState(false, 5, 5).unlocked, true);
  });

  it('explains what is left when locked', () => {
    assert.match(solutionState(false, 2, 5).explanation, /after 5 failed Checks \(2 so far, 3 to go\)/);
    assert.match(solutionState(false, 50, 0).explanation, /once you pass/, '0 means only after passing');
  });
});
