import { expect } from 'vitest';
import { findLimitViolations } from '../../src/views/limits.ts';

/** A string found in a view, with what kind of field holds it. */
export interface Found {
  kind: 'fallback' | 'mrkdwn' | 'plain_text' | 'value' | 'other';
  path: string;
  text: string;
}

/** Every string in a view (message or modal), classified by how Slack treats it. */
export function collectTexts(view: unknown): Found[] {
  const out: Found[] = [];
  const walk = (node: unknown, path: string, parentType: unknown) => {
    if (typeof node === 'string') {
      const key = path.slice(path.lastIndexOf('.') + 1);
      let kind: Found['kind'] = 'other';
      if (path === '$.text') kind = 'fallback';
      else if (key === 'text' && parentType === 'mrkdwn') kind = 'mrkdwn';
      else if (key === 'text' && parentType === 'plain_text') kind = 'plain_text';
      else if (key === 'value') kind = 'value';
      out.push({ kind, path, text: node });
      return;
    }
    if (Array.isArray(node)) {
      for (const [i, n] of node.entries()) walk(n, `${path}[${i}]`, parentType);
      return;
    }
    if (node && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      for (const [k, v] of Object.entries(obj)) walk(v, `${path}.${k}`, obj.type);
    }
  };
  walk(view, '$', undefined);
  return out;
}

/** The `<…>` tokens Slack parses that ftops itself may emit: dates, user, group and channel mentions. */
const ALLOWED_TOKEN =
  /^<(?:!date\^\d+\^(?:\{date_short_pretty\} \{time\}|\{ago\})\|[^<>|]*|@[UW][A-Z0-9]{2,30}|!subteam\^S[A-Z0-9]{2,30}|#[CG][A-Z0-9]{2,30})>/;

/** Every `<` in text Slack parses opens one of our own tokens; returns the offenders. */
export function foreignTokens(text: string): string[] {
  const bad: string[] = [];
  for (let i = text.indexOf('<'); i !== -1; i = text.indexOf('<', i + 1)) {
    const m = ALLOWED_TOKEN.exec(text.slice(i));
    if (!m) bad.push(text.slice(i, i + 40));
    else i += m[0].length - 1;
  }
  // A stray `>` could only close something; outside our tokens there must be none.
  // A `>` opening a line is a block quote, which is ours (reasons are quoted that way).
  const stripped = text
    .replace(new RegExp(ALLOWED_TOKEN.source.slice(1), 'g'), '')
    .replace(/^>/gm, '');
  if (stripped.includes('>'))
    bad.push(`stray > in ${stripped.slice(stripped.indexOf('>') - 20, stripped.indexOf('>') + 5)}`);
  return bad;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: asserting they are gone
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u202E]/;

/** Asserts no parsed text holds a token ftops did not make, and plain texts hold no brackets. */
export function expectNoInjection(view: unknown, allowedMentions: readonly string[] = []): void {
  for (const f of collectTexts(view)) {
    if (f.kind === 'fallback' || f.kind === 'mrkdwn') {
      expect(foreignTokens(f.text), `${f.path}: ${f.text.slice(0, 200)}`).toEqual([]);
      for (const m of f.text.matchAll(/<@([UW][A-Z0-9]+)>|<!subteam\^(S[A-Z0-9]+)>/g)) {
        expect(allowedMentions, `${f.path} mentions ${m[0]}`).toContain(m[1] ?? m[2]);
      }
      expect(f.text).not.toContain('<!channel>');
      expect(f.text).not.toContain('<https://evil');
    }
    if (f.kind === 'plain_text') {
      expect(f.text, f.path).not.toMatch(/[<>]/);
    }
    if (f.kind !== 'value') expect(f.text, f.path).not.toMatch(CONTROL);
  }
}

/** Asserts a message view is within Block Kit's limits. */
export function expectWithinLimits(view: { text?: string; blocks: readonly unknown[] }): void {
  expect(findLimitViolations(view)).toEqual([]);
}

/** All user-visible text of a view joined, for "the user sees …" assertions. */
export function visibleText(view: unknown): string {
  return collectTexts(view)
    .filter((f) => f.kind !== 'value' && f.kind !== 'other')
    .map((f) => f.text)
    .join('\n');
}

/** The buttons of a message: action_id, label, value, style. */
export function buttonsOf(view: { blocks: readonly unknown[] }) {
  const out: Array<{ actionId: string; label: string; value: string | undefined; style?: string }> =
    [];
  for (const b of view.blocks as Array<Record<string, unknown>>) {
    const els = b.type === 'actions' ? (b.elements as Array<Record<string, unknown>>) : [];
    const acc = b.accessory ? [b.accessory as Record<string, unknown>] : [];
    for (const e of [...els, ...acc]) {
      if (e.type !== 'button') continue;
      out.push({
        actionId: e.action_id as string,
        label: (e.text as { text: string }).text,
        value: e.value as string | undefined,
        ...(e.style ? { style: e.style as string } : {}),
      });
    }
  }
  return out;
}
