import { describe, expect, it } from 'vitest';
import { runHostileApi } from '../../chaos/campaigns/hostile-api/index.ts';
import { Evidence } from '../../chaos/lib/evidence.ts';

describe('chaos: hostile API (short, seeded)', () => {
  it('meets every target', async () => {
    const result = await runHostileApi({ full: false, seed: 9001, evidence: new Evidence() });
    expect(result.name).toBe('hostile-api');
    expect(result.rows.filter((r) => !r.met)).toEqual([]);
  }, 120_000);
});
