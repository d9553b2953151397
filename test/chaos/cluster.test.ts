import { describe, expect, it } from 'vitest';
import { runFailover } from '../../chaos/campaigns/cluster/failover.ts';
import { runReshard } from '../../chaos/campaigns/cluster/reshard.ts';
import { Evidence } from '../../chaos/lib/evidence.ts';

// Private 6-node Redis Clusters of their own (7121-7126 and 7131-7136), never the CI cluster on
// 7001-7006; about 30 s each. The failover test's nodes keep an append-only file, so the killed
// primary comes back with its data, as a production node does (see RELIABILITY.md, "A primary
// brought back").
describe('chaos: failover (short, seeded)', () => {
  it("the {ns} slot's primary killed under load and brought back meets every target", async () => {
    const result = await runFailover({ full: false, seed: 9001, evidence: new Evidence() });
    expect(result.rows).toHaveLength(9);
    expect(result.rows.filter((r) => !r.met)).toEqual([]);
    expect(result.rows[0]?.happened).toMatch(/^replica \d+ promoted .*; \d+ rejoined as a replica/);
  }, 120_000);
});

describe('chaos: reshard (short, seeded)', () => {
  it('the {ns} slot moved there and back under load meets every target', async () => {
    const result = await runReshard({ full: false, seed: 9001, evidence: new Evidence() });
    expect(result.rows).toHaveLength(9);
    expect(result.rows.filter((r) => !r.met)).toEqual([]);
    expect(result.rows[0]?.happened).toMatch(/^\d+ → \d+ .*; \d+ → \d+ /);
  }, 120_000);
});
