import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  code,
  escapeMrkdwn,
  formatUtc,
  groupMention,
  md,
  plainText,
  slackDate,
  timeAgo,
  truncate,
  truncateMrkdwn,
  userMention,
} from '../../src/views/mrkdwn.ts';
import { foreignTokens } from './walk.ts';

const EVIL = '<!channel> <@U123> <!subteam^S1> <https://evil.test|click> &amp;';

/** True when `s` has no unpaired surrogate. */
const wellFormed = (s: string) =>
  !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

describe('escapeMrkdwn', () => {
  it('escapes &, < and > so no mention, link or broadcast survives', () => {
    expect(escapeMrkdwn(EVIL)).toBe(
      '&lt;!channel&gt; &lt;@U123&gt; &lt;!subteam^S1&gt; &lt;https://evil.test|click&gt; &amp;amp;',
    );
  });

  it('neutralises control and bidi-override characters but keeps newlines and tabs', () => {
    expect(escapeMrkdwn('a\u0000b\u001bc\u202Ed\ne\tf\u0085')).toBe(
      'a\uFFFDb\uFFFDc\uFFFDd\ne\tf\uFFFD',
    );
  });

  it('leaves nothing Slack would parse, for any input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(foreignTokens(escapeMrkdwn(s))).toEqual([]);
        expect(foreignTokens(code(s))).toEqual([]);
        expect(plainText(s)).not.toMatch(/[<>]/);
      }),
    );
  });

  it('makes code spans that outside backticks cannot close', () => {
    expect(code('a`b')).toBe('`aˋb`');
    expect(code('x\ny')).toBe('`x y`');
  });

  it('mentions only IDs of the right shape', () => {
    expect(userMention('U0123ABC')).toBe('<@U0123ABC>');
    expect(userMention('W0123ABC')).toBe('<@W0123ABC>');
    expect(userMention('<!channel>')).toBe('`&lt;!channel&gt;`');
    expect(groupMention('S0APPROVE')).toBe('<!subteam^S0APPROVE>');
    expect(groupMention('U123|x')).toBe('`U123|x`');
  });
});

describe('truncate', () => {
  it('keeps short strings and cuts long ones with an ellipsis', () => {
    expect(truncate('hello', 5)).toBe('hello');
    expect(truncate('hello world', 8)).toBe('hello w…');
  });

  it('never splits a surrogate pair and never exceeds max', () => {
    expect(truncate('ab😀😀', 4)).toBe('ab…');
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.integer({ min: 0, max: 320 }),
        (s, max) => {
          const t = truncate(s, max);
          expect(t.length).toBeLessThanOrEqual(max);
          expect(wellFormed(t) || !wellFormed(s)).toBe(true);
          if (s.length <= max) expect(t).toBe(s);
          else if (max > 1) expect(s.startsWith(t.slice(0, -1))).toBe(true);
        },
      ),
    );
  });

  it('does not leave half an entity or half a token behind in mrkdwn', () => {
    expect(truncateMrkdwn(md`aaaa &amp; bbb`, 8)).toBe('aaaa …');
    const date = slackDate(1721764800);
    expect(truncateMrkdwn(md`x ${date} y`, 20)).toBe('x …');
    expect(truncateMrkdwn(md`see \`ftjob-abcdefghijkl\` now`, 14)).toBe('see `ftjob-a`…');
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 400 }),
        fc.integer({ min: 1, max: 400 }),
        (s, max) => {
          const t = truncateMrkdwn(md`${escapeMrkdwn(s)} ${date}`, max);
          expect(t.length).toBeLessThanOrEqual(max);
          expect(foreignTokens(t)).toEqual([]);
          expect(t).not.toMatch(/&[a-z]{0,3}…$/);
        },
      ),
    );
  });
});

describe('dates', () => {
  it('renders a Slack date token with a UTC fallback', () => {
    expect(slackDate(1721736000)).toBe(
      '<!date^1721736000^{date_short_pretty} {time}|2024-07-23 12:00 UTC>',
    );
    expect(slackDate(1721736000, 'July 23 | <b>')).toBe(
      '<!date^1721736000^{date_short_pretty} {time}|July 23 ¦ &lt;b&gt;>',
    );
    expect(slackDate(null)).toBe('—');
    expect(slackDate(Number.NaN, 'never')).toBe('never');
    expect(formatUtc(1721736000)).toBe('2024-07-23 12:00 UTC');
  });

  it('says how long ago, given now', () => {
    const now = 1_721_736_000_000;
    expect(timeAgo(1721736000 - 30, now)).toBe('just now');
    expect(timeAgo(1721736000 - 300, now)).toBe('5m ago');
    expect(timeAgo(1721736000 - 3 * 3600, now)).toBe('3h ago');
    expect(timeAgo(1721736000 - 2 * 86400, now)).toBe('2d ago');
    expect(timeAgo(1721736000 - 30 * 86400, now)).toBe('4w ago');
    expect(timeAgo(1721736000 + 600, now)).toBe('in 10m');
    expect(timeAgo(null, now)).toBe('unknown age');
  });
});
