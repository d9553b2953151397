import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFRESH_JOB } from '../../src/views/action-ids.ts';
import { findLimitViolations } from '../../src/views/limits.ts';
import { type App, buttonsOf, startApp, visibleText } from './harness.ts';

/**
 * The live card's progress end to end: the emulator publishes a running job's metrics as
 * events, `/ft status` and the Refresh button read what is new of them into the stored series
 * and the card shows step of total, the bar, the losses and the estimated finish; a queued
 * job's card shows none of it, and its metrics are never read.
 */
describe('the job card’s progress', () => {
  let app: App;
  beforeAll(async () => {
    app = await startApp({ FT_ROLE: 'web' });
  });
  afterAll(async () => {
    await app?.close();
  });

  const cardOf = async (sent: Awaited<ReturnType<App['command']>>) => {
    await app.answer(sent, 15_000);
    const body = (app.answersTo(sent.responseUrl).at(-1)?.body ?? {}) as {
      text?: string;
      blocks?: unknown[];
    };
    return { body, text: visibleText(body) };
  };
  const eventReads = (id: string) =>
    app.ft.requests.filter((r) => r.path === `/fine_tuning/jobs/${id}/events`).length;

  it('shows a running job’s step of total, bar, losses and estimated finish, and Refresh moves it on', async () => {
    const job = app.ft.addJob({ status: 'running', steps: 200, step: 1, validateEvery: 20 });
    app.ft.clock.advance(120_000);
    const { body, text } = await cardOf(await app.command(`status ${job.id}`));
    expect(text).toMatch(/Step \d+ of 200/);
    expect(text).toMatch(/[▰▱]{12}/);
    expect(text).toMatch(/\*Train loss\* \d/);
    expect(text).toMatch(/\*Validation loss\* \d/);
    expect(text).toMatch(/[▁▂▃▄▅▆▇█]{2,}/);
    expect(text).toContain('*Estimated finish*');
    expect(text).toMatch(/\*Elapsed\*/);
    expect(findLimitViolations({ text: body.text ?? '', blocks: body.blocks ?? [] })).toEqual([]);
    const before = Number(/Step (\d+) of 200/.exec(text)?.[1]);

    app.ft.clock.advance(60_000);
    const refresh = buttonsOf(body.blocks).find((b) => b.actionId === REFRESH_JOB);
    const click = await app.click({ actionId: REFRESH_JOB, value: refresh?.value ?? '' });
    await app.answer(click, 15_000);
    const updated = visibleText(app.answersTo(click.responseUrl).at(-1)?.body ?? {});
    expect(Number(/Step (\d+) of 200/.exec(updated)?.[1])).toBeGreaterThan(before);
  });

  it('a queued job’s card shows no progress section, and its metrics are not read', async () => {
    const job = app.ft.addJob({ status: 'queued' });
    const reads = eventReads(job.id);
    const { text } = await cardOf(await app.command(`status ${job.id}`));
    expect(text).toContain(job.id);
    expect(text).not.toMatch(/\*Progress\*|Step \d+ of|[▰▱]/);
    // The card's latest-events read (limit 3) is the only one: no metrics read for it.
    expect(eventReads(job.id) - reads).toBe(1);
  });
});
