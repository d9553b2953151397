import { describe, expect, it } from 'vitest';
import { REAL_IDS, renderAll } from './all-views.ts';
import { EVIL, NOW } from './fixtures.ts';
import { collectTexts, expectNoInjection, expectWithinLimits } from './walk.ts';

const PAYLOADS = [
  EVIL,
  '<!channel> <@U123> <https://evil|click>',
  '<!everyone>',
  '<https://evil.test/login|https://slack.com>',
  '`<!here>`',
  '&lt;!channel&gt;',
  '|>',
  '\n>quoted <!channel>\n',
];

describe('no view lets outside text become a mention, link or broadcast', () => {
  for (const payload of PAYLOADS) {
    it(`holds for ${JSON.stringify(payload).slice(0, 40)}`, () => {
      for (const status of ['running', 'paused', 'failed', 'succeeded', payload]) {
        const views = renderAll({ s: () => payload, status, count: 3, now: NOW });
        for (const [name, view] of Object.entries(views)) {
          try {
            expectNoInjection(view, REAL_IDS);
            expectWithinLimits(view);
          } catch (e) {
            throw new Error(`${name} (status ${JSON.stringify(status)}): ${(e as Error).message}`);
          }
        }
      }
    });
  }

  it('still shows the outside text, escaped, so nothing is silently lost', () => {
    const views = renderAll({ s: () => '<!channel>', status: 'failed', count: 1, now: NOW });
    const all = collectTexts(views.jobCard)
      .map((f) => f.text)
      .join('\n');
    expect(all).toContain('&lt;!channel&gt;');
  });
});
