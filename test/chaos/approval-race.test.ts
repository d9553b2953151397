import { describe, expect, it } from 'vitest';
import { runApprovalRace } from '../../chaos/campaigns/approval-race/index.ts';
import { Evidence } from '../../chaos/lib/evidence.ts';

describe('chaos: approval-race (short, seeded)', () => {
  it('meets every target', async () => {
    const evidence = new Evidence();
    const result = await runApprovalRace({ full: false, seed: 9001, evidence });
    expect(result.name).toBe('approval-race');
    expect(result.rows).toHaveLength(6);
    expect(result.rows.filter((r) => !r.met)).toEqual([]);
    const [pauses, audit, commoners, answers, processes] = result.rows;
    // The race really ran: 4 trials of 50 clicks, each with one pause call and one decider.
    expect(pauses?.happened).toMatch(/^4 of 4 trials made exactly one POST …\/pause/);
    expect(pauses?.happened).toContain('4 with 1');
    expect(audit?.happened).toMatch(/^4 of 4 show/);
    expect(answers?.tried).toBe('200 clicks, each with its own response_url');
    expect(answers?.happened).toMatch(/^4 "Approved\.", \d+ "already decided"/);
    expect(answers?.happened).toContain('0 unanswered');
    expect(commoners?.happened).toMatch(
      /^0 counted as a decision; [1-9]\d* refused as not allowed/,
    );
    const acked = /web-a acked (\d+), web-b acked (\d+), 0 not acked/.exec(
      processes?.happened ?? '',
    );
    expect(Number(acked?.[1])).toBe(100);
    expect(Number(acked?.[2])).toBe(100);
    // What the bots logged and posted went to the evidence for the canary scan.
    expect(evidence.logs.length).toBeGreaterThan(0);
    expect(evidence.slackBodies.length).toBeGreaterThan(200);
  }, 90_000);
});
