import { describe, expect, it } from 'vitest';
import { runCrashes } from '../../chaos/campaigns/crashes/index.ts';
import { Evidence } from '../../chaos/lib/evidence.ts';

describe('chaos: crashes (short, seeded)', () => {
  it('meets every target', async () => {
    const result = await runCrashes({ full: false, seed: 9001, evidence: new Evidence() });
    expect(result.rows.filter((r) => !r.met)).toEqual([]);
    const [changes, kills, lost, duplicates] = result.rows;
    // The campaign did its work: 60 changes made, 3 kills with at least one between a post
    // and its record, every due announcement seen, and each duplicate traced to a kill.
    expect(changes?.happened).toMatch(/^60 made/);
    expect(kills?.happened).toMatch(/^3 kills .*: [1-9]\d* between a post and its record/);
    expect(lost?.happened).toMatch(/, 0 lost/);
    expect(duplicates?.happened).toMatch(
      /^\d+ duplicates?: .*; 0 first posted by a worker that was not killed; /,
    );
  }, 150_000);
});
