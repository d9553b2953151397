import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVE_REQUEST } from '../../src/views/action-ids.ts';
import {
  APPROVER,
  type App,
  buttonsOf,
  OUTSIDER,
  poll,
  REQUESTER,
  startApp,
  TRAINING,
} from './harness.ts';

/**
 * Regression (chaos campaign 2, approval race, and issue 15 item 1): refused clicks once pushed
 * "who decided" out of `/ft audit <job>`. Refusals are now kept apart and collapsed per person.
 */
describe('/ft audit after a burst of late clicks', () => {
  let app: App;
  beforeAll(async () => {
    app = await startApp({ FT_ROLE: 'web' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('still shows the request, the approval and the execution, and who decided', async () => {
    const job = app.ft.addJob();
    expect(await app.answer(await app.command(`pause ${job.id} eval loss diverged`))).toContain(
      'waiting for approval',
    );
    const message = await poll(() =>
      app.messagesIn(TRAINING).find((m) => !m.ephemeral && m.text.includes(job.id) && m.blocks),
    );
    const requestId = buttonsOf(message.blocks).find((b) => b.actionId === APPROVE_REQUEST)?.value;
    const click = (user: string) =>
      app.click({ actionId: APPROVE_REQUEST, value: requestId ?? '', user, messageTs: message.ts });
    expect(await app.answer(await click(APPROVER))).toContain('Approved.');
    // 30 late clicks, each refused and audited.
    for (let i = 0; i < 30; i++) {
      const answer = await app.answer(await click(i % 2 ? OUTSIDER : REQUESTER));
      expect(answer).toContain('already');
    }
    const shown = await app.answer(await app.command(`audit ${job.id}`, { user: APPROVER }));
    expect(shown).toContain(`<@${REQUESTER}> asked to pause \`${job.id}\``);
    expect(shown).toContain(`<@${APPROVER}> approved the request to pause \`${job.id}\``);
    expect(shown).toContain(`\`${job.id}\`: pause was carried out (approved by <@${APPROVER}>)`);
    // The 30 refusals are kept apart, one line per person with how often they were refused.
    expect(shown).toContain(
      `<@${OUTSIDER}> was refused on the request to pause \`${job.id}\` in <#${TRAINING}> because it was already decided, 15 times`,
    );
    expect(shown).toContain(
      `<@${REQUESTER}> was refused on the request to pause \`${job.id}\` in <#${TRAINING}> because it was already decided, 15 times`,
    );
    expect(shown.match(/was refused/g)).toHaveLength(2);
  });
});
