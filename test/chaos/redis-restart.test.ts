import { describe, expect, it } from 'vitest';
import { runRedisRestart } from '../../chaos/campaigns/redis-restart/index.ts';
import { Evidence } from '../../chaos/lib/evidence.ts';

/** The figure in "… 19 signed /ft status commands …": the first number in `text`. */
function firstNumber(text: string): number {
  const m = /(\d[\d,]*)/.exec(text);
  return m ? Number(m[1]?.replace(/,/g, '')) : Number.NaN;
}

describe('chaos: redis-restart (short, seeded)', () => {
  it('meets every target', async () => {
    const evidence = new Evidence();
    const result = await runRedisRestart({ full: false, seed: 9001, evidence });
    expect(result.name).toBe('redis-restart');
    expect(result.rows.filter((r) => !r.met)).toEqual([]);
    expect(result.rows).toHaveLength(10);
    const [outage, click, recovery, after, before, durable, approval, announced, bot, server] =
      result.rows;

    // Commands really were sent while Redis was down, and all got the clear text.
    const duringCount = firstNumber(outage?.tried ?? '');
    expect(duringCount).toBeGreaterThanOrEqual(5);
    expect(outage?.happened).toMatch(new RegExp(`^${duringCount} acked 200`));
    expect(click?.happened).toContain('"temporarily unavailable"');
    expect(click?.happened).toContain('/readyz 503');
    expect(recovery?.happened).not.toContain('never');
    // Commands after the restart were answered with real job cards.
    expect(after?.happened).toMatch(/^[1-9]\d* answered with the job card/);
    expect(before?.happened).toMatch(/set-up: \d+ answered normally/);
    // Durable state was read (watches of 8 jobs and more) and came back whole.
    expect(firstNumber(durable?.tried ?? '')).toBeGreaterThan(8);
    expect(durable?.happened).toContain('0 lost or changed');
    expect(approval?.happened).toContain('pause calls: 1');
    // Changes were made in every phase and announced in both channels watching them.
    expect(announced?.happened).toMatch(/before (\d+)\/\1, during ([1-9]\d*)\/\2, after (\d+)\/\3/);
    expect(bot?.happened).toMatch(/^alive/);
    expect(server?.happened).toContain('started 2 times');

    // Evidence for the canary scan: the bot's log lines and what it sent to Slack.
    expect(evidence.logs.length).toBeGreaterThan(0);
    expect(evidence.slackBodies.length).toBeGreaterThan(0);
  }, 90_000);
});
