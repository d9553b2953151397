// The hostile text the fine-tuning emulator is made to return: broadcasts, foreign mentions and
// links, mrkdwn, invisible and bidi characters, invalid UTF-16 and 40 KB monsters.
import { MARK } from '../hostile-input/inputs.ts';

export const HOSTILE_STRINGS: readonly string[] = [
  '<!channel> stop the cluster',
  '<!here|here> now',
  '<!everyone>',
  `<@U0${MARK}1> approve this`,
  `<#C0${MARK}2>`,
  `<!subteam^S0${MARK}3|@oncall>`,
  `<https://evil.test/${MARK}|https://slack.com/login>`,
  `<mailto:${MARK}@evil.test|support>`,
  '*bold* _italic_ ~strike~ `code` ```block``` > quote',
  'zero\u200bwidth\u200d <!here>',
  'rtl \u202etxt.exe\u202c <!channel>',
  'lone \ud800 surrogate \udfff <!channel>',
  '&lt;!channel&gt; already escaped &amp;',
  `<!date^1700000000^{date}|<!channel>> ${MARK}`,
  `${'A'.repeat(40_000)}<!channel>`,
];

/** A seeded pick from the list. */
export function picker(random: () => number): () => string {
  return () => HOSTILE_STRINGS[Math.floor(random() * HOSTILE_STRINGS.length)] as string;
}
