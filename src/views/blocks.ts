import { fitMrkdwn, fitPlain, LIMITS } from './limits.ts';
import { EMPTY, escapeMrkdwn, type Mrkdwn, md, plainText } from './mrkdwn.ts';
import type { Button, KnownBlock } from './types.ts';

/**
 * Small Block Kit builders that apply the size limits as they build, so no view has to
 * remember them. Texts given as mrkdwn must already be escaped; plain texts are made safe here.
 */

/** A header block (plain text, at most 150 characters). */
export function headerBlock(text: string): KnownBlock {
  return {
    type: 'header',
    text: { type: 'plain_text', text: fitPlain(plainText(text), LIMITS.header), emoji: true },
  };
}

/** A section of already-escaped mrkdwn, optionally with an accessory button. */
export function sectionBlock(mrkdwn: Mrkdwn, accessory?: Button): KnownBlock {
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: fitMrkdwn(mrkdwn) },
    ...(accessory ? { accessory } : {}),
  };
}

/** A section of up to ten two-column mrkdwn fields. */
export function fieldsBlock(fields: readonly Mrkdwn[]): KnownBlock {
  return {
    type: 'section',
    fields: fields
      .slice(0, LIMITS.sectionFields)
      .map((f) => ({ type: 'mrkdwn' as const, text: fitMrkdwn(f, LIMITS.sectionField) })),
  };
}

/** A context block (small grey text) of up to ten mrkdwn elements. */
export function contextBlock(...texts: Mrkdwn[]): KnownBlock {
  return {
    type: 'context',
    elements: texts
      .slice(0, LIMITS.contextElements)
      .map((t) => ({ type: 'mrkdwn' as const, text: fitMrkdwn(t) })),
  };
}

/** What a button needs: the value must be an ID only, never anything that grants authority. */
export interface ButtonSpec {
  text: string;
  actionId: string;
  value: string;
  style?: 'primary' | 'danger';
  confirm?: { title: string; text: Mrkdwn; confirm: string; deny: string };
}

/** A button with its label and confirm dialog cut to Block Kit's limits. */
export function button(spec: ButtonSpec): Button {
  const b: Button = {
    type: 'button',
    action_id: spec.actionId,
    text: {
      type: 'plain_text',
      text: fitPlain(plainText(spec.text), LIMITS.buttonText),
      emoji: true,
    },
  };
  // Slack refuses an empty value; an ID is never empty, but a view must not break on one.
  if (spec.value.length > 0) b.value = spec.value.slice(0, LIMITS.buttonValue);
  if (spec.style) b.style = spec.style;
  if (spec.confirm) {
    b.confirm = {
      title: {
        type: 'plain_text',
        text: fitPlain(plainText(spec.confirm.title), LIMITS.confirmTitle),
      },
      text: { type: 'mrkdwn', text: fitMrkdwn(spec.confirm.text, LIMITS.confirmText) },
      confirm: {
        type: 'plain_text',
        text: fitPlain(plainText(spec.confirm.confirm), LIMITS.confirmButton),
      },
      deny: {
        type: 'plain_text',
        text: fitPlain(plainText(spec.confirm.deny), LIMITS.confirmButton),
      },
      ...(spec.style === 'danger' ? { style: 'danger' as const } : {}),
    };
  }
  return b;
}

/** An actions block of buttons, or nothing when there are none (Slack refuses an empty one). */
export function actionsBlock(buttons: readonly Button[]): KnownBlock[] {
  if (buttons.length === 0) return [];
  return [{ type: 'actions', elements: buttons.slice(0, LIMITS.actionsElements) }];
}

/**
 * Packs mrkdwn lines into as few sections as fit 3,000 characters each, using at most
 * `maxBlocks` blocks; what does not fit is counted in a closing "…and N more" line.
 */
export function lineBlocks(
  lines: readonly Mrkdwn[],
  opts: { maxBlocks: number; maxLineLength?: number; noun?: string },
): KnownBlock[] {
  const maxLine = opts.maxLineLength ?? 500;
  const blocks: KnownBlock[] = [];
  let current: Mrkdwn = EMPTY;
  let shown = 0;
  const more = (n: number) => escapeMrkdwn(`…and ${n} more ${opts.noun ?? ''}`.trimEnd());
  for (const raw of lines) {
    const line = fitMrkdwn(raw, maxLine);
    if (current.length > 0 && current.length + 1 + line.length <= LIMITS.text) {
      current = md`${current}\n${line}`;
      shown++;
      continue;
    }
    // A new section is needed; keep one block free for the "and N more" note.
    if (blocks.length + (current ? 1 : 0) >= opts.maxBlocks - 1) break;
    if (current) blocks.push(sectionBlock(current));
    current = line;
    shown++;
  }
  if (current) blocks.push(sectionBlock(current));
  if (shown < lines.length) blocks.push(contextBlock(more(lines.length - shown)));
  return blocks;
}
