// The fix a learner types into the thread race lab's starter: one Lock around the update and its two
// prints, and every worker joined before the final count. Planned as line edits of the starter as it
// is, so the scenario types into the real file; a starter that no longer has these lines is reported.

function find(lines, pattern, after = 0) {
  const index = lines.findIndex((line, at) => at >= after && pattern.test(line));
  if (index < 0) {
    throw new Error(`the thread-race starter has no line matching ${pattern}: update test/e2e/lib/raceFix.mjs to the new starter`);
  }
  return index;
}

/**
 * Returns `{ edits, fixed, workers }`: edits as `{ from, count, lines }` (1-based line, lines to remove, lines to
 * type there), ordered bottom-up so each keeps the line numbers of the file it is typed into, and the
 * whole fixed file they add up to, and how many worker threads it starts.
 */
export function planRaceFix(starter) {
  const lines = starter.split('\n');
  const counter = find(lines, /^counter = 0$/);
  const update = find(lines, /^(\s+)counter \+= 1$/, counter);
  const indent = lines[update].match(/^\s+/)[0];
  if (!/print\(/.test(lines[update + 1]) || !/print\(/.test(lines[update + 2])) {
    throw new Error('the thread-race starter no longer prints twice after `counter += 1`: update test/e2e/lib/raceFix.mjs');
  }
  const spawn = find(lines, /^\s+for _ in range\(WORKERS\):$/, update);
  const final = find(lines, /^\s+print\(f"Final count/, spawn);
  const workers = Number(lines[find(lines, /^WORKERS = \d+$/)].split('=')[1]);

  const edits = [
    {
      // The workers' loop and the TODO below it become: start every thread, then join every thread.
      from: spawn + 1,
      count: final - spawn,
      lines: [
        '    threads = [threading.Thread(target=worker, name=f"worker-{n}") for n in range(WORKERS)]',
        '    for thread in threads:',
        '        thread.start()',
        '    for thread in threads:',
        '        thread.join()',
      ],
    },
    {
      from: update + 1,
      count: 3,
      lines: [`${indent}with counter_lock:`, ...lines.slice(update, update + 3).map((line) => `    ${line}`)],
    },
    { from: counter + 2, count: 0, lines: ['counter_lock = threading.Lock()'] },
  ];
  const fixed = [...lines];
  for (const edit of edits) {
    fixed.splice(edit.from - 1, edit.count, ...edit.lines);
  }
  return { edits, fixed: fixed.join('\n'), workers };
}
