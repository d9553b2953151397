import { describe, expect, it } from 'vitest';
import { runAuditFlood } from '../../chaos/campaigns/audit-flood/index.ts';
import { Evidence } from '../../chaos/lib/evidence.ts';

describe('chaos: audit flood (short, seeded)', () => {
  it('meets every target', async () => {
    const result = await runAuditFlood({ full: false, seed: 9001, evidence: new Evidence() });
    expect(result.name).toBe('audit-flood');
    expect(result.rows.filter((r) => !r.met)).toEqual([]);
  }, 120_000);
});
