import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY, escapeMrkdwn, joinMd, md, userMention } from '../../src/views/mrkdwn.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every `.ts` file under src/ whose text matches `re`, as paths relative to the repository. */
const filesMatching = (re: RegExp) =>
  sources(join(ROOT, 'src'))
    .filter((p) => re.test(readFileSync(p, 'utf8')))
    .map((p) => relative(ROOT, p));

describe('Mrkdwn, the one text type Slack messages are built from', () => {
  it('is made only in src/views/mrkdwn.ts: no cast to it anywhere else', () => {
    expect(filesMatching(/as\s+(unknown\s+as\s+)?Mrkdwn\b/)).toEqual(['src/views/mrkdwn.ts']);
  });

  it('reaches Block Kit only through the block builders', () => {
    // A hand-written `{ type: 'mrkdwn', text }` would take any string; the builders take Mrkdwn.
    expect(filesMatching(/type:\s*'mrkdwn'/).sort()).toEqual([
      'src/views/blocks.ts',
      'src/views/limits.ts',
    ]);
  });

  it('keeps our words and escapes what goes in its holes only once', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        const text = md`*Reason:* ${escapeMrkdwn(s)} by ${userMention('U0ABC')}`;
        expect(text.startsWith('*Reason:* ')).toBe(true);
        expect(text.endsWith(' by <@U0ABC>')).toBe(true);
        const inner = text.slice('*Reason:* '.length, -' by <@U0ABC>'.length);
        expect(inner).not.toMatch(/[<>]/);
        expect(inner).toBe(escapeMrkdwn(s));
      }),
    );
    expect(joinMd([md`a`, EMPTY, md`b`], ' · ')).toBe('a ·  · b');
    expect(md`${3} of ${4}`).toBe('3 of 4');
  });
});
