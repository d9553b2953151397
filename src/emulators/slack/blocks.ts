/**
 * Cheap Block Kit checks for the limits Slack enforces, so a test fails where Slack would
 * reject our message. The messages mimic Slack's `response_metadata.messages` lines
 * (`[ERROR] … [json-pointer:/blocks/0/text/text]`).
 */

/** The outcome of validating blocks: `ok`, or the Slack error code and its detail lines. */
export type BlocksCheck = { ok: true } | { ok: false; error: string; messages: string[] };

/** Slack's limits that these checks enforce. */
export const BLOCK_LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  url: 3000,
} as const;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a `blocks` value as sent to chat.* (`surface: 'message'`) or views.* (`'view'`). */
export function validateBlocks(
  blocks: unknown,
  surface: 'message' | 'view' = 'message',
): BlocksCheck {
  if (!Array.isArray(blocks)) {
    return { ok: false, error: 'invalid_blocks_format', messages: ['[ERROR] must be an array'] };
  }
  const problems: string[] = [];
  const max = surface === 'message' ? BLOCK_LIMITS.messageBlocks : BLOCK_LIMITS.viewBlocks;
  if (blocks.length > max)
    problems.push(`[ERROR] no more than ${max} items allowed [json-pointer:/blocks]`);
  const blockIds = new Set<string>();
  blocks.forEach((block, i) => {
    checkBlock(block, `/blocks/${i}`, problems, blockIds);
  });
  return problems.length === 0
    ? { ok: true }
    : { ok: false, error: 'invalid_blocks', messages: problems };
}

function checkBlock(block: unknown, at: string, problems: string[], blockIds: Set<string>): void {
  if (!isObj(block) || typeof block.type !== 'string') {
    problems.push(`[ERROR] missing required field: type [json-pointer:${at}]`);
    return;
  }
  if (typeof block.block_id === 'string') {
    tooLong(block.block_id, BLOCK_LIMITS.blockId, `${at}/block_id`, problems);
    if (blockIds.has(block.block_id)) {
      problems.push(`[ERROR] duplicate block_id [json-pointer:${at}/block_id]`);
    }
    blockIds.add(block.block_id);
  }
  switch (block.type) {
    case 'section':
      checkSection(block, at, problems);
      break;
    case 'header':
      checkText(block.text, BLOCK_LIMITS.headerText, `${at}/text`, problems, true);
      break;
    case 'context':
      checkElements(block, BLOCK_LIMITS.contextElements, at, problems);
      break;
    case 'actions':
      checkElements(block, BLOCK_LIMITS.actionsElements, at, problems);
      break;
    default:
      break;
  }
}

function checkSection(block: Obj, at: string, problems: string[]): void {
  if (block.text === undefined && block.fields === undefined) {
    problems.push(`[ERROR] must provide text or fields [json-pointer:${at}]`);
  }
  if (block.text !== undefined)
    checkText(block.text, BLOCK_LIMITS.sectionText, `${at}/text`, problems);
  if (block.fields !== undefined) {
    if (!Array.isArray(block.fields) || block.fields.length > BLOCK_LIMITS.sectionFields) {
      problems.push(
        `[ERROR] no more than ${BLOCK_LIMITS.sectionFields} items allowed [json-pointer:${at}/fields]`,
      );
    } else {
      block.fields.forEach((f, j) => {
        checkText(f, BLOCK_LIMITS.fieldText, `${at}/fields/${j}`, problems);
      });
    }
  }
  if (isObj(block.accessory)) checkElement(block.accessory, `${at}/accessory`, problems, new Set());
}

function checkElements(block: Obj, max: number, at: string, problems: string[]): void {
  if (!Array.isArray(block.elements) || block.elements.length === 0) {
    problems.push(`[ERROR] missing required field: elements [json-pointer:${at}/elements]`);
    return;
  }
  if (block.elements.length > max) {
    problems.push(`[ERROR] no more than ${max} items allowed [json-pointer:${at}/elements]`);
  }
  const actionIds = new Set<string>();
  block.elements.forEach((el, j) => {
    checkElement(el, `${at}/elements/${j}`, problems, actionIds);
  });
}

function checkElement(el: unknown, at: string, problems: string[], actionIds: Set<string>): void {
  if (!isObj(el) || typeof el.type !== 'string') {
    problems.push(`[ERROR] missing required field: type [json-pointer:${at}]`);
    return;
  }
  if (typeof el.action_id === 'string') {
    tooLong(el.action_id, BLOCK_LIMITS.actionId, `${at}/action_id`, problems);
    // Slack requires action_ids to be unique within their block.
    if (actionIds.has(el.action_id)) {
      problems.push(`[ERROR] duplicate action_id [json-pointer:${at}/action_id]`);
    }
    actionIds.add(el.action_id);
  }
  if (el.type === 'button') {
    checkText(el.text, BLOCK_LIMITS.buttonText, `${at}/text`, problems, true);
    if (el.value !== undefined) {
      if (typeof el.value !== 'string')
        problems.push(`[ERROR] must be a string [json-pointer:${at}/value]`);
      else tooLong(el.value, BLOCK_LIMITS.buttonValue, `${at}/value`, problems);
    }
    if (typeof el.url === 'string') tooLong(el.url, BLOCK_LIMITS.url, `${at}/url`, problems);
    if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger') {
      problems.push(`[ERROR] must be one of primary, danger [json-pointer:${at}/style]`);
    }
  } else if (el.type === 'plain_text' || el.type === 'mrkdwn') {
    checkText(el, BLOCK_LIMITS.sectionText, at, problems);
  }
}

function checkText(
  t: unknown,
  max: number,
  at: string,
  problems: string[],
  plainOnly = false,
): void {
  if (!isObj(t) || typeof t.text !== 'string') {
    problems.push(`[ERROR] must be a text object [json-pointer:${at}]`);
    return;
  }
  if (t.type !== 'plain_text' && (plainOnly || t.type !== 'mrkdwn')) {
    const allowed = plainOnly ? 'plain_text' : 'plain_text, mrkdwn';
    problems.push(`[ERROR] must be one of ${allowed} [json-pointer:${at}/type]`);
  }
  if (t.text.length === 0) {
    problems.push(`[ERROR] must be more than 0 characters [json-pointer:${at}/text]`);
  }
  tooLong(t.text, max, `${at}/text`, problems);
}

function tooLong(s: string, max: number, at: string, problems: string[]): void {
  if (s.length > max)
    problems.push(`[ERROR] must be less than ${max + 1} characters [json-pointer:${at}]`);
}
