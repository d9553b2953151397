import { describe, expect, it } from 'vitest';
import { runAuthenticityWithFigures } from '../../chaos/campaigns/authenticity/index.ts';
import { Evidence } from '../../chaos/lib/evidence.ts';

describe('chaos: authenticity (short, seeded)', () => {
  it('meets every target', async () => {
    const evidence = new Evidence();
    const { result, figures: f } = await runAuthenticityWithFigures({
      full: false,
      seed: 9001,
      evidence,
    });
    expect(result.name).toBe('authenticity');
    expect(result.rows.filter((r) => !r.met)).toEqual([]);

    // It really sent what it claims: every category of forgery, valid requests and replays.
    expect(f.requests).toBe(600);
    // The eight forgeries of the campaign, named here so an empty map cannot pass.
    expect(Object.keys(f.forgedByCategory).sort()).toEqual([
      'body-changed',
      'future',
      'no-signature',
      'no-timestamp',
      'other-secret',
      'stale',
      'timestamp-changed',
      'wrong-signature',
    ]);
    for (const [category, g] of Object.entries(f.forgedByCategory)) {
      expect(g.sent, category).toBeGreaterThan(0);
      expect(g.refused, category).toBe(g.sent);
      expect(g.withEffect, category).toBe(0);
    }
    expect(f.validSent).toBeGreaterThan(100);
    expect(f.replaysSent).toBeGreaterThan(50);
    expect(f.validExactlyOnce).toBe(f.validSent);
    expect(f.sequentialReplays).toBeGreaterThan(0);
    expect(f.concurrentReplays).toBeGreaterThan(0);
    expect(f.replaysAfterAnswer).toBe(f.sequentialReplays);
    expect(f.replaysDoubled).toBe(0);
    expect(f.replaysLogged).toBe(f.replaysSent);

    // The valid ones had effects of all three kinds: API calls, Slack posts, Redis state.
    expect(f.apiRequestsForValid).toBeGreaterThan(f.validSent);
    expect(f.resumes).toBeGreaterThan(0);
    expect(f.approvalPosts).toBeGreaterThan(0);
    expect(f.subscriptions).toBeGreaterThan(0);
    expect(f.botAlive).toBe(true);

    // What the bot logged and what it left in Redis went to the evidence for the canary scan.
    expect(evidence.logs.length).toBeGreaterThan(0);
    expect(evidence.redisDump.length).toBeGreaterThan(0);
  }, 90_000);
});
