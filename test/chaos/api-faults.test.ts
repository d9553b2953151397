import { describe, expect, it } from 'vitest';
import { runApiFaults } from '../../chaos/campaigns/api-faults/index.ts';
import { Evidence } from '../../chaos/lib/evidence.ts';

describe('chaos: api-faults (short, seeded)', () => {
  it('meets every target', async () => {
    const evidence = new Evidence();
    const result = await runApiFaults({ full: false, seed: 9001, evidence });
    expect(result.name).toBe('api-faults');
    expect(result.rows.filter((r) => !r.met)).toEqual([]);
    const [done, , , told, announced, sweeps, transitions, faults] = result.rows;
    // The approvals ran and paused their jobs: "15 reported done … exactly one effect: 15 of 15".
    expect(done?.happened).toMatch(/exactly one effect: (\d+) of \1\b/);
    const reportedDone = Number(done?.happened.match(/(\d+) reported done/)?.[1]);
    expect(reportedDone).toBeGreaterThanOrEqual(13);
    expect(told?.happened).toMatch(/^15 of 15 approvals told everyone/);
    expect(announced?.happened).toBe(`${reportedDone} announced once, 0 never, 0 more than once`);
    // Sweeps ran and real transitions went through them.
    expect(Number(sweeps?.happened.match(/^(\d+) sweeps/)?.[1])).toBeGreaterThanOrEqual(8);
    expect(
      Number(transitions?.happened.match(/^(\d+) announced exactly once/)?.[1]),
    ).toBeGreaterThanOrEqual(8);
    // Faults were really injected, of every kind, and the log shows them.
    const share = Number(faults?.happened.match(/\(([\d.]+) %\)/)?.[1]);
    expect(share).toBeGreaterThan(15);
    expect(share).toBeLessThan(45);
    expect(faults?.happened).toMatch(/\b0 logged statuses disagree/);
    // Logs and Slack bodies were handed to the evidence for the canary scan.
    expect(evidence.logs.length).toBeGreaterThan(0);
    expect(evidence.slackBodies.length).toBeGreaterThan(0);
  }, 90_000);
});
