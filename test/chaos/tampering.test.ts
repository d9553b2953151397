import { describe, expect, it } from 'vitest';
import { runTamperingWithFigures } from '../../chaos/campaigns/tampering/index.ts';
import { Evidence } from '../../chaos/lib/evidence.ts';

describe('chaos: tampering (short, seeded)', () => {
  it('meets every target', async () => {
    const evidence = new Evidence();
    const { result, figures: f } = await runTamperingWithFigures({
      full: false,
      seed: 9001,
      evidence,
    });
    expect(result.name).toBe('tampering');
    expect(result.rows.filter((r) => !r.met)).toEqual([]);

    // Every kind of rewrite was sent, acked, answered, and none acted on something else.
    expect(f.clicks).toBe(80);
    for (const [kind, t] of Object.entries(f.byKind)) {
      expect(t.clicks, kind).toBe(16);
      expect(t.variants.length, kind).toBeGreaterThan(2);
      expect(t.violations, kind).toBe(0);
      expect(t.non200, kind).toBe(0);
      expect(t.unanswered, kind).toBe(0);
      expect(t.acted + t.quiet, kind).toBe(t.clicks);
      // Most rewrites must be refused or change nothing…
      expect(t.quiet, kind).toBeGreaterThan(0);
    }
    // …while clicks whose own state allowed it really acted: decisions, API calls, requests.
    expect(f.decisions).toBeGreaterThan(0);
    expect(f.apiCalls).toBeGreaterThan(0);
    expect(f.requestsMade).toBeGreaterThan(0);
    expect(f.byKind.metadata.quiet).toBeGreaterThan(f.byKind.metadata.acted);

    // Policy held for clicks by outsiders and requesters on their own requests.
    expect(f.outsiderOrSelfClicks).toBeGreaterThan(0);
    expect(f.badDecisions).toBe(0);

    // Nothing reached the foreign host; the bot refused each of those requests.
    expect(f.foreignClicks).toBeGreaterThan(0);
    expect(f.foreignReceived).toBe(0);
    expect(f.foreignRefused).toBe(f.foreignClicks);

    expect(f.strayKeys).toBe(0);
    expect(f.botAlive).toBe(true);
    expect(evidence.logs.length).toBeGreaterThan(0);
    expect(evidence.redisDump.length).toBeGreaterThan(0);
  }, 90_000);
});
