// Step 7: a second VS Code with Workspace Trust on. The learner answers "No" to the trust question, can
// still start the lab, and Check refuses to run their code and says why.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LAB_ID } from './lib/expected.mjs';
import { openVsCode } from './lib/session.mjs';
import * as ui from './lib/workbench.mjs';

export function restrictedStep({ lab, labs, timings, scratch, vsix, sessions }) {
  const entry = lab.manifest.entry;
  const listed = labs.find((candidate) => candidate.id === LAB_ID);
  return {
    number: 7,
    name: 'restricted-mode',
    title: 'In a folder that is not trusted, Check refuses to run and says why',
    async run(ctx) {
      const session = await openVsCode({ scratch, name: 'untrusted', vsix, trusted: false });
      sessions.push(session);
      ctx.use(session);
      const { page } = session;
      const asked = await ui.dialog(page, 'the Workspace Trust question', ui.LONG_MS);
      ui.expect(/trust the authors/i.test(asked.text), `the first dialog says "${asked.text}", not the Workspace Trust question`);
      await asked.button("No, I don't trust the authors").click();
      await ui.visible(page.locator('.statusbar-item[aria-label^="Restricted Mode"]'), 'Restricted Mode in the status bar');

      await ui.openActivity(page, 'Concurrency Labs');
      const row = await ui.visible(ui.sideBarRow(page, `${listed.title}, `), `"${listed.title}" in the Labs view in Restricted Mode`);
      await row.hover();
      const start = await ui.visible(row.locator('.action-label[aria-label^="Start Lab"]'), 'Start Lab on the row');
      const clicked = Date.now();
      await start.click();
      await ui.waitUntil(`${entry} open in an editor`, async () => (await ui.editorGroup(page, entry).count()) > 0 && (await ui.editorLines(ui.editorGroup(page, entry).first())).length > 0, ui.LONG_MS, 10);
      timings.startLab.push(Date.now() - clicked);

      const shown = await ui.instructionsHeading(page);
      ui.expect(shown === lab.manifest.title, `the instructions start with "${shown}", not the lab's title`);
      await (await ui.editorAction(page, entry, 'Check Lab')).click();
      const refusal = await ui.notification(page, 'Restricted Mode', 'a message saying why Check did not run');
      const said = ui.plain(await refusal.textContent());
      ui.expect(/not trusted/.test(said) && /trust the folder/.test(said), `the refusal says "${said}": it should say the folder is not trusted and how to trust it`);
      await ui.visible(refusal.locator('.monaco-button').filter({ hasText: 'Manage Workspace Trust' }), 'a Manage Workspace Trust button on the message');

      // Nothing ran: no verdict in the Labs view, no squiggle, no attempt recorded on disk.
      const label = await ui.sideBarRow(page, `${listed.title}, `).first().getAttribute('aria-label');
      ui.expect(label?.includes(', in progress: '), `the Labs view shows "${label}" after a refused Check; expected the lab still in progress`);
      ui.expect((await ui.squiggleLines(ui.editorGroup(page, entry).first())).length === 0, 'a squiggle appeared although Check did not run');
      const attempts = join(session.workspace, 'concurrency-labs', '.snapshots');
      ui.expect(!existsSync(attempts) || readdirSync(attempts).length === 0, `an attempt was recorded in ${attempts} although Check did not run`);
    },
  };
}
