import { describe, expect, it } from 'vitest';
import { foreignMentions, runHostileInput } from '../../chaos/campaigns/hostile-input/index.ts';
import { Evidence } from '../../chaos/lib/evidence.ts';

describe('chaos: hostile input (short, seeded)', () => {
  it('the mention scan flags what came from input and spares what the bot means', () => {
    expect(
      foreignMentions('hi <@U0REQUEST>, ask <!subteam^S0APPROVERS> in <#C0APPROVALS>'),
    ).toEqual([]);
    expect(
      foreignMentions('<!channel> <!here|here> <@U0HOSTILE1> <!subteam^S0HOSTILE3> <#C0HOSTILE4>'),
    ).toHaveLength(5);
    expect(foreignMentions('&lt;!channel&gt; ‹!here›')).toEqual([]);
  });

  it('meets every target', async () => {
    const result = await runHostileInput({ full: false, seed: 9001, evidence: new Evidence() });
    expect(result.rows.filter((r) => !r.met)).toEqual([]);
    expect(result.rows).toHaveLength(7);
    // The cases really reached the handlers and had effects.
    const effects = result.rows[3]?.happened ?? '';
    const [answered, sent] = (/([\d,]+) of ([\d,]+) \/ft commands answered/.exec(effects) ?? [])
      .slice(1)
      .map((x) => Number(x.replace(/,/g, '')));
    expect(sent).toBeGreaterThan(100);
    expect(answered).toBeGreaterThan(sent! / 2);
    expect(result.rows[4]?.tried).toMatch(/[1-9][\d,]* of them carrying hostile input/);
    expect(result.rows[5]?.tried).toMatch(/^[1-9][\d,]* fine-tuning API requests/);
  }, 90_000);
});
