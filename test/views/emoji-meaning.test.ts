import { describe, expect, it } from 'vitest';
import { KNOWN_STATUSES } from '../../src/api/schemas.ts';
import { renderAll } from './all-views.ts';
import { collectTexts } from './walk.ts';

/** Pictographs and the joiners/selectors that build them: what needs an emoji font to show. */
const EMOJI = /\p{Extended_Pictographic}|\u{FE0F}|\u{200D}|\u{20E3}/u;
const EMOJI_ALL = new RegExp(EMOJI.source, 'gu');
/** Slack's own tokens (mentions, dates) are text once Slack renders them. */
const TOKEN = /<[^<>]*>/g;

/** Lines of a view that show an emoji and, without it, no word. */
function bareEmojiLines(view: unknown): string[] {
  const bare: string[] = [];
  for (const found of collectTexts(view)) {
    if (found.kind === 'value' || found.kind === 'other') continue;
    for (const line of found.text.split('\n')) {
      if (!EMOJI.test(line)) continue;
      const words = line.replace(TOKEN, 'x').replace(EMOJI_ALL, '');
      if (!/\p{L}{2,}/u.test(words)) bare.push(`${found.path}: ${line}`);
    }
  }
  return bare;
}

/**
 * Emoji need a font the reader may not have (a bare Linux desktop shows boxes). Every line of
 * every view that shows one must still say what it means in words once the emoji are gone.
 */
describe('emoji never carry the meaning alone', () => {
  it('finds a line that is only emoji (and takes mentions for words)', () => {
    const view = (text: string) => ({
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
    });
    expect(bareEmojiLines(view('⏸️'))).toHaveLength(1);
    expect(bareEmojiLines(view('ok\n✅ — 👍'))).toHaveLength(1);
    expect(bareEmojiLines(view('⏸️ Paused'))).toEqual([]);
    expect(bareEmojiLines(view('plain words'))).toEqual([]);
  });

  for (const status of KNOWN_STATUSES) {
    it(`in every view, for a job that is ${status}`, () => {
      const views = renderAll({ s: (i) => `word${i}`, status, count: 3, now: 1_721_800_000_000 });
      const bare = Object.entries(views).flatMap(([name, view]) =>
        bareEmojiLines(view).map((l) => `${name} ${l}`),
      );
      expect(bare).toEqual([]);
    });
  }
});
