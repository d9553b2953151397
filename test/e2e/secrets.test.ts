import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVE_REQUEST } from '../../src/views/action-ids.ts';
import {
  APPROVER,
  type App,
  buttonsOf,
  poll,
  SIGNING_SECRET,
  startApp,
  TRAINING,
} from './harness.ts';

/**
 * A whole session (commands, an API outage, an approval, a sweep and its announcement) with
 * every secret known, then a search for each of them in everything ftops wrote: its log lines,
 * every Slack call and answer, and every Redis key and value of its namespace.
 */
describe('secrets never leave ftops', () => {
  let app: App;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('appear in no log line, Slack body or Redis value after a full session', async () => {
    const job = app.ft.addJob({ user_provided_suffix: 'canary-run' });
    await app.answer(await app.command('help'));
    await app.answer(await app.command('list 5'));
    await app.answer(await app.command(`status ${job.id}`));
    app.ft.failNext(5, '500');
    const outage = await app.answer(await app.command(`events ${job.id}`));
    expect(outage).toContain('tried');
    await app.answer(await app.command(`pause ${job.id} canary reason`));
    const request = await poll(
      () =>
        app
          .messagesIn(TRAINING)
          .find((m) => buttonsOf(m.blocks).some((b) => b.actionId === APPROVE_REQUEST)),
      5000,
      () => 'no approval request was posted',
    );
    const approve = buttonsOf(request.blocks).find((b) => b.actionId === APPROVE_REQUEST);
    await app.answer(
      await app.click({
        actionId: APPROVE_REQUEST,
        value: approve?.value ?? '',
        user: APPROVER,
        messageTs: request.ts,
      }),
    );
    app.advanceClock(10_000);
    const poller = app.ftops.poller;
    if (!poller) throw new Error('the app runs no poller');
    await poller.sweeper.sweep();

    const secrets = [
      SIGNING_SECRET,
      app.config.slack.botToken,
      app.slack.appToken,
      'test-key', // the fine-tuning API key the harness configures
    ];
    const redisDump: string[] = [];
    for (const key of await app.redisKeys()) {
      const type = await app.redis.type(key);
      redisDump.push(key);
      if (type === 'string') redisDump.push(String(await app.redis.get(key)));
      if (type === 'hash') redisDump.push(JSON.stringify(await app.redis.hgetall(key)));
      if (type === 'stream') redisDump.push(JSON.stringify(await app.redis.xrange(key, '-', '+')));
      if (type === 'set') redisDump.push(JSON.stringify(await app.redis.smembers(key)));
      if (type === 'zset') redisDump.push(JSON.stringify(await app.redis.zrange(key, 0, -1)));
      if (type === 'list') redisDump.push(JSON.stringify(await app.redis.lrange(key, 0, -1)));
    }
    const places = {
      logs: app.logs.join('\n'),
      slackCalls: JSON.stringify(app.slack.calls),
      slackAnswers: JSON.stringify(app.slack.responses),
      redis: redisDump.join('\n'),
    };
    expect(app.logs.length).toBeGreaterThan(10);
    expect(redisDump.length).toBeGreaterThan(5);
    for (const secret of secrets) {
      for (const [where, text] of Object.entries(places)) {
        expect(text.includes(secret), `${secret.slice(0, 4)}… found in ${where}`).toBe(false);
      }
    }
  });
});
