import { describe, expect, it } from 'vitest';
import { runCanaries, scan } from '../../chaos/campaigns/canaries.ts';
import { Evidence } from '../../chaos/lib/evidence.ts';

describe('chaos: secret canaries (short, seeded)', () => {
  it('finds no canary anywhere after a session that used every one of them', async () => {
    const evidence = new Evidence();
    const result = await runCanaries({ full: false, seed: 9001, evidence });
    expect(result.rows.filter((r) => !r.met)).toEqual([]);
    expect(evidence.logs.length).toBeGreaterThan(50);
    expect(evidence.slackBodies.length).toBeGreaterThan(10);
    expect(evidence.redisDump.length).toBeGreaterThan(10);
  }, 90_000);

  it('the scan finds a canary wherever it is planted, whole or by its tag alone', () => {
    const evidence = new Evidence();
    const { SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, AZURE_OPENAI_API_KEY } = evidence.canaries;
    evidence.addLogLine(`{"msg":"calling Slack","token":"${SLACK_BOT_TOKEN}"}`);
    evidence.addSlackBody({ text: `secret tail ${SLACK_SIGNING_SECRET.slice(-18)}` });
    evidence.redisDump.push('some-key', `x${AZURE_OPENAI_API_KEY}x`);
    const hits = scan(evidence);
    expect(hits.logs.join()).toContain('SLACK_BOT_TOKEN');
    expect(hits.slack.join()).toContain('SLACK_SIGNING_SECRET');
    expect(hits.redis.join()).toContain('AZURE_OPENAI_API_KEY');
  });
});
