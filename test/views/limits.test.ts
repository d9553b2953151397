import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KNOWN_STATUSES } from '../../src/api/schemas.ts';
import { contextBlock, sectionBlock } from '../../src/views/blocks.ts';
import { findLimitViolations, fitBlocks } from '../../src/views/limits.ts';
import { md } from '../../src/views/mrkdwn.ts';
import type { KnownBlock } from '../../src/views/types.ts';
import { REAL_IDS, renderAll } from './all-views.ts';
import { expectNoInjection } from './walk.ts';

const oddString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 400 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 3000, maxLength: 6000 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', ' ', '<', '&', '`', '😀'.repeat(2000), '&amp;'.repeat(900)),
  },
);

const inputs = fc.record({
  strings: fc.array(oddString, { minLength: 31, maxLength: 31 }),
  status: fc.oneof(fc.constantFrom(...KNOWN_STATUSES), oddString),
  count: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 60, max: 120 })),
  now: fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
});

describe('every view stays within Block Kit limits', () => {
  it('for random huge and odd inputs', () => {
    fc.assert(
      fc.property(inputs, ({ strings, status, count, now }) => {
        const views = renderAll({ s: (i) => strings[i] ?? '', status, count, now });
        for (const [name, view] of Object.entries(views)) {
          // Compact failures: the inputs are huge, so name the view and the problems only.
          const problems = findLimitViolations(view);
          if (problems.length > 0) throw new Error(`${name}: ${problems.join('; ')}`);
          expect(view.blocks.length, name).toBeLessThanOrEqual(50);
          expectNoInjection(view, REAL_IDS);
        }
      }),
      { numRuns: 30, endOnFailure: true },
    );
  });

  it('finds the violations it is meant to find', () => {
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } },
      { type: 'section', text: { type: 'mrkdwn', text: '' } },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: 'a',
            text: { type: 'plain_text', text: 'y'.repeat(76) },
            value: 'v',
          },
          {
            type: 'button',
            action_id: 'a',
            text: { type: 'plain_text', text: 'ok' },
            value: 'z'.repeat(2001),
          },
        ],
      },
    ];
    const problems = findLimitViolations({ text: 't', blocks });
    expect(problems).toEqual([
      'blocks[0](header).text: 151 > 150',
      'blocks[1](section).text: empty',
      'blocks[2](actions).elements[0].text: 76 > 75',
      'blocks[2](actions).elements[1].value: 2001 > 2000',
      'blocks[2](actions): duplicate action_id a',
    ]);
    expect(findLimitViolations({ blocks: new Array(51).fill({ type: 'divider' }) })).toEqual([
      'blocks: 51 > 50',
    ]);
  });

  it('fitBlocks keeps 50 blocks, the trailing buttons, and says how many were dropped', () => {
    const many: KnownBlock[] = Array.from({ length: 80 }, (_, i) => sectionBlock(md`line ${i}`));
    const actions: KnownBlock = {
      type: 'actions',
      elements: [
        { type: 'button', action_id: 'b', text: { type: 'plain_text', text: 'B' }, value: 'v' },
      ],
    };
    const fitted = fitBlocks([...many, actions]);
    expect(fitted).toHaveLength(50);
    expect(fitted[49]).toBe(actions);
    expect(fitted[48]).toEqual(contextBlock(md`…and 32 more not shown.`));
    expect(fitBlocks(many.slice(0, 10))).toHaveLength(10);
  });
});
