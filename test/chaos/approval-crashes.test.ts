import { describe, expect, it } from 'vitest';
import { runApprovalCrashes } from '../../chaos/campaigns/approval-crashes/index.ts';
import { Evidence } from '../../chaos/lib/evidence.ts';

describe('chaos: approval-crashes (short, seeded)', () => {
  it('meets every target', async () => {
    const evidence = new Evidence();
    const result = await runApprovalCrashes({ full: false, seed: 9001, evidence });
    expect(result.name).toBe('approval-crashes');
    expect(result.rows).toHaveLength(6);
    expect(result.rows.filter((r) => !r.met)).toEqual([]);
    const [moments, effects, approved, told, audit] = result.rows;
    // Every kill moment was tried and every web process really died by SIGKILL.
    expect(moments?.happened).toMatch(
      /^\d+ POST …\/pause held on arrival, before its effect \([1-9]\d* killed there\)/,
    );
    expect(moments?.happened).toMatch(
      /; [1-9]\d* POST …\/pause held after its effect, before the answer \([1-9]\d* killed there\)/,
    );
    expect(moments?.happened).toContain('4 of 4 ended by SIGKILL');
    // Each job paused exactly once, and the requests were executed.
    expect(effects?.happened).toMatch(/^4 of 4 paused exactly once/);
    expect(effects?.happened).toContain('4 with 1');
    expect(approved?.happened).toMatch(/^0 left `approved`, 0 still in the approved index/);
    expect(told?.happened).toMatch(/^4 of 4 requesters told exactly once/);
    // The worker really recovered something: at least the trials killed at the API.
    const recovered = /^(\d+) recovered by the worker/.exec(audit?.happened ?? '');
    expect(Number(recovered?.[1])).toBeGreaterThanOrEqual(2);
    expect(evidence.logs.length).toBeGreaterThan(0);
  }, 90_000);
});
