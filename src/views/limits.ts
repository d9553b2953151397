import { type Mrkdwn, md, truncate, truncateMrkdwn } from './mrkdwn.ts';
import type { KnownBlock, MessageView } from './types.ts';

/**
 * Block Kit's size limits, and the helpers that keep every view inside them. Long content is
 * cut with an ellipsis, never rejected: a message Slack refuses is worse than a short one.
 */
export const LIMITS = {
  blocks: 50,
  text: 3000,
  fallbackText: 3000,
  header: 150,
  sectionField: 2000,
  sectionFields: 10,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
} as const;

/** Fits already-escaped mrkdwn into `max` (3,000 by default), never leaving an empty text. */
export function fitMrkdwn(text: Mrkdwn, max: number = LIMITS.text): Mrkdwn {
  return truncateMrkdwn(text.length === 0 ? md` ` : text, max);
}

/** Fits plain text into `max`, never leaving an empty text. */
export function fitPlain(text: string, max: number): string {
  return truncate(text.length === 0 ? ' ' : text, max);
}

/**
 * Keeps a block list within 50 blocks. When it must drop some, it keeps a trailing actions
 * block (the buttons matter more than the middle of a list) and says how many were left out.
 */
export function fitBlocks(blocks: KnownBlock[]): KnownBlock[] {
  if (blocks.length <= LIMITS.blocks) return blocks;
  const last = blocks[blocks.length - 1];
  const keepActions = last?.type === 'actions';
  const room = LIMITS.blocks - 1 - (keepActions ? 1 : 0);
  const dropped = blocks.length - room - (keepActions ? 1 : 0);
  const note: KnownBlock = {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: md`…and ${dropped} more not shown.` }],
  };
  return [...blocks.slice(0, room), note, ...(keepActions && last ? [last] : [])];
}

/** Fits a whole message: blocks within count, fallback text within its limit. */
export function fitMessage(view: MessageView): MessageView {
  return { text: fitMrkdwn(view.text, LIMITS.fallbackText), blocks: fitBlocks(view.blocks) };
}

type Json = Record<string, unknown>;

function textOf(v: unknown): string | undefined {
  return v && typeof v === 'object' && typeof (v as Json).text === 'string'
    ? ((v as Json).text as string)
    : undefined;
}

/**
 * Every way a message or its blocks break Block Kit's limits, as readable lines; empty when
 * all is well. Tests use it, and so can a handler that wants to log before Slack refuses.
 */
export function findLimitViolations(view: { text?: string; blocks: readonly unknown[] }): string[] {
  const out: string[] = [];
  const check = (where: string, value: string | undefined, max: number, required = true) => {
    if (value === undefined) {
      if (required) out.push(`${where}: missing text`);
      return;
    }
    if (value.length > max) out.push(`${where}: ${value.length} > ${max}`);
    if (required && value.length === 0) out.push(`${where}: empty`);
  };
  if (view.text !== undefined) check('text', view.text, LIMITS.fallbackText);
  if (view.blocks.length > LIMITS.blocks) out.push(`blocks: ${view.blocks.length} > 50`);
  view.blocks.forEach((raw, i) => {
    const b = raw as Json;
    const at = `blocks[${i}](${String(b.type)})`;
    if (typeof b.block_id === 'string') check(`${at}.block_id`, b.block_id, LIMITS.blockId);
    switch (b.type) {
      case 'header':
        check(`${at}.text`, textOf(b.text), LIMITS.header);
        break;
      case 'section': {
        const fields = (b.fields as unknown[] | undefined) ?? [];
        if (b.text === undefined && fields.length === 0) out.push(`${at}: no text or fields`);
        if (b.text !== undefined) check(`${at}.text`, textOf(b.text), LIMITS.text);
        if (fields.length > LIMITS.sectionFields) out.push(`${at}.fields: ${fields.length} > 10`);
        for (const [j, f] of fields.entries()) {
          check(`${at}.fields[${j}]`, textOf(f), LIMITS.sectionField);
        }
        if (b.accessory) checkElement(`${at}.accessory`, b.accessory as Json, check);
        break;
      }
      case 'context': {
        const els = (b.elements as Json[] | undefined) ?? [];
        if (els.length === 0 || els.length > LIMITS.contextElements)
          out.push(`${at}.elements: ${els.length} elements`);
        els.forEach((e, j) => {
          if (e.type !== 'image') check(`${at}.elements[${j}]`, textOf(e), LIMITS.text);
        });
        break;
      }
      case 'actions': {
        const els = (b.elements as Json[] | undefined) ?? [];
        if (els.length === 0 || els.length > LIMITS.actionsElements)
          out.push(`${at}.elements: ${els.length} elements`);
        const ids = new Set<string>();
        for (const [j, e] of els.entries()) {
          checkElement(`${at}.elements[${j}]`, e, check);
          if (typeof e.action_id === 'string') {
            if (ids.has(e.action_id)) out.push(`${at}: duplicate action_id ${e.action_id}`);
            ids.add(e.action_id);
          }
        }
        break;
      }
      case 'input':
        check(`${at}.label`, textOf(b.label), LIMITS.inputLabel);
        if (b.hint !== undefined) check(`${at}.hint`, textOf(b.hint), LIMITS.inputHint);
        if (b.element) checkElement(`${at}.element`, b.element as Json, check);
        break;
      default:
        break;
    }
  });
  return out;
}

function checkElement(
  at: string,
  e: Json,
  check: (where: string, value: string | undefined, max: number, required?: boolean) => void,
): void {
  if (typeof e.action_id === 'string') check(`${at}.action_id`, e.action_id, LIMITS.actionId);
  if (e.type === 'button') {
    check(`${at}.text`, textOf(e.text), LIMITS.buttonText);
    if (e.value !== undefined) check(`${at}.value`, e.value as string, LIMITS.buttonValue);
  }
  if (e.placeholder !== undefined)
    check(`${at}.placeholder`, textOf(e.placeholder), LIMITS.placeholder);
  const confirm = e.confirm as Json | undefined;
  if (confirm) {
    check(`${at}.confirm.title`, textOf(confirm.title), LIMITS.confirmTitle);
    check(`${at}.confirm.text`, textOf(confirm.text), LIMITS.confirmText);
    check(`${at}.confirm.confirm`, textOf(confirm.confirm), LIMITS.confirmButton);
    check(`${at}.confirm.deny`, textOf(confirm.deny), LIMITS.confirmButton);
  }
}
