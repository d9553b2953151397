import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const WEB = fileURLToPath(new URL('../../src/sandbox/web/', import.meta.url));
const EMOJI = /\p{Extended_Pictographic}|\u{FE0F}/u;

/**
 * The page's own icons are drawn (CSS shapes), not emoji: a machine without an emoji font
 * (a bare Debian desktop, CI's Chromium) would show boxes. Emoji in the bot's messages are
 * the bot's, and always come with words (test/views/emoji-meaning.test.ts).
 */
describe('the sandbox page', () => {
  it('has no emoji in its own HTML, CSS or scripts', () => {
    const found: string[] = [];
    for (const name of readdirSync(WEB)) {
      const lines = readFileSync(`${WEB}${name}`, 'utf8').split('\n');
      lines.forEach((line, i) => {
        // Comments may name an emoji; what the page shows may not.
        const code = line.replace(/\/\/.*$|\/\*.*?\*\//g, '');
        if (EMOJI.test(code)) found.push(`${name}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(found).toEqual([]);
  });
});
