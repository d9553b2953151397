// Block Kit (sections, context, actions, inputs, dividers, headers) as a virtual tree; a block
// the sandbox cannot show says so instead of vanishing.

import { mrkdwn } from './mrkdwn.js';
import { h } from './vnode.js';

/**
 * @typedef {import('./vnode.js').VNode} VNode
 * @typedef {import('./vnode.js').VElement} VElement
 * @typedef {import('./vnode.js').RenderContext} RenderContext
 */

/**
 * A text object: mrkdwn is parsed, plain_text shown as is.
 * @param {unknown} t
 * @param {RenderContext} ctx
 * @returns {VNode[]}
 */
export function textObject(t, ctx) {
  if (!t || typeof t !== 'object') return [];
  const o = /** @type {{ type?: unknown, text?: unknown }} */ (t);
  const text = typeof o.text === 'string' ? o.text : '';
  return o.type === 'mrkdwn' ? mrkdwn(text, ctx) : [text];
}

/** @param {unknown} t */
function plain(t) {
  if (!t || typeof t !== 'object') return '';
  const text = /** @type {{ text?: unknown }} */ (t).text;
  return typeof text === 'string' ? text : '';
}

/** @param {string} what @returns {VElement} */
function unsupported(what) {
  return h(
    'div',
    { class: 'block-unsupported', role: 'note' },
    `Unsupported in the sandbox: ${what}`,
  );
}

/**
 * A button element; what a click needs travels in data attributes, the confirm dialog as JSON.
 * @param {Record<string, unknown>} el
 * @param {string} blockId
 * @returns {VElement}
 */
function buttonElement(el, blockId) {
  const style = el.style === 'primary' || el.style === 'danger' ? el.style : 'default';
  const text = plain(el.text);
  const url = typeof el.url === 'string' && isSafeUrl(el.url) ? el.url : undefined;
  if (url) {
    return h(
      'a',
      { class: `btn btn-${style}`, href: url, target: '_blank', rel: 'noopener noreferrer' },
      text,
    );
  }
  return h(
    'button',
    {
      type: 'button',
      class: `btn btn-${style}`,
      'data-action-id': typeof el.action_id === 'string' ? el.action_id : '',
      'data-block-id': blockId,
      'data-value': typeof el.value === 'string' ? el.value : '',
      'data-confirm':
        el.confirm && typeof el.confirm === 'object' ? JSON.stringify(el.confirm) : undefined,
      'aria-haspopup': el.confirm ? 'dialog' : undefined,
    },
    text,
  );
}

/**
 * An interactive element of an actions block or an accessory.
 * @param {unknown} raw @param {string} blockId
 * @returns {VNode}
 */
function element(raw, blockId) {
  const el = /** @type {Record<string, unknown>} */ (raw && typeof raw === 'object' ? raw : {});
  if (el.type === 'button') return buttonElement(el, blockId);
  if (el.type === 'image') {
    return h(
      'span',
      { class: 'image-alt' },
      `[image: ${typeof el.alt_text === 'string' ? el.alt_text : ''}]`,
    );
  }
  return unsupported(`${String(el.type ?? 'unknown')} element`);
}

/**
 * An input block of a modal: a label, the field (plain_text_input), a hint and a place for
 * the error the app may answer with.
 * @param {Record<string, unknown>} block @param {string} blockId @param {RenderContext} ctx
 * @returns {VElement}
 */
function inputBlock(block, blockId, ctx) {
  const el = /** @type {Record<string, unknown>} */ (
    block.element && typeof block.element === 'object' ? block.element : {}
  );
  if (el.type !== 'plain_text_input') return unsupported(`input of type ${String(el.type)}`);
  const actionId = typeof el.action_id === 'string' ? el.action_id : 'input';
  const id = `${ctx.idPrefix ?? 'f'}-${safeId(blockId)}-${safeId(actionId)}`;
  const optional = block.optional === true;
  const hint = plain(block.hint);
  const attrs = {
    id,
    name: id,
    class: 'field',
    'data-block-id': blockId,
    'data-action-id': actionId,
    placeholder: plain(el.placeholder) || undefined,
    maxlength: typeof el.max_length === 'number' ? String(el.max_length) : undefined,
    minlength: typeof el.min_length === 'number' ? String(el.min_length) : undefined,
    required: optional ? undefined : '',
    'aria-describedby': `${id}-hint ${id}-error`,
  };
  const initial = typeof el.initial_value === 'string' ? el.initial_value : '';
  const field = el.multiline
    ? h('textarea', { ...attrs, rows: '3' }, initial)
    : h('input', { ...attrs, type: 'text', value: initial });
  return h(
    'div',
    { class: 'block block-input', 'data-block-id': blockId },
    h(
      'label',
      { for: id },
      plain(block.label),
      optional ? h('span', { class: 'optional' }, ' (optional)') : null,
    ),
    field,
    h('div', { class: 'hint', id: `${id}-hint` }, hint),
    h('div', { class: 'field-error', id: `${id}-error`, role: 'alert' }),
  );
}

/** @param {string} s */
function safeId(s) {
  return s.replace(/[^A-Za-z0-9_-]/g, '_');
}

/**
 * Renders a list of blocks; any kind the sandbox does not know shows as a labelled
 * placeholder, never as nothing.
 * @param {unknown} blocks
 * @param {RenderContext} [ctx]
 * @returns {VNode[]}
 */
export function renderBlocks(blocks, ctx = {}) {
  if (!Array.isArray(blocks)) return [];
  return blocks.map((raw, index) => {
    const block = /** @type {Record<string, unknown>} */ (
      raw && typeof raw === 'object' ? raw : {}
    );
    const blockId = typeof block.block_id === 'string' ? block.block_id : `b${index}`;
    switch (block.type) {
      case 'header':
        return h(
          'div',
          { class: 'block block-header', role: 'heading', 'aria-level': '3' },
          plain(block.text),
        );
      case 'section': {
        const fields = Array.isArray(block.fields) ? block.fields : [];
        return h(
          'div',
          { class: 'block block-section' },
          h(
            'div',
            { class: 'section-main' },
            block.text ? h('div', { class: 'section-text' }, textObject(block.text, ctx)) : null,
            fields.length > 0
              ? h(
                  'div',
                  { class: 'section-fields' },
                  fields.map((f) => h('div', { class: 'field-cell' }, textObject(f, ctx))),
                )
              : null,
          ),
          block.accessory
            ? h('div', { class: 'accessory' }, element(block.accessory, blockId))
            : null,
        );
      }
      case 'context': {
        const elements = Array.isArray(block.elements) ? block.elements : [];
        return h(
          'div',
          { class: 'block block-context' },
          elements.map((e) => {
            const o = /** @type {Record<string, unknown>} */ (e && typeof e === 'object' ? e : {});
            if (o.type === 'image')
              return h('span', { class: 'image-alt' }, `[image: ${String(o.alt_text ?? '')}]`);
            return h('span', { class: 'context-item' }, textObject(o, ctx));
          }),
        );
      }
      case 'divider':
        return h('hr', { class: 'block block-divider' });
      case 'actions': {
        const elements = Array.isArray(block.elements) ? block.elements : [];
        return h(
          'div',
          { class: 'block block-actions', role: 'group', 'aria-label': 'Actions' },
          elements.map((e) => element(e, blockId)),
        );
      }
      case 'input':
        return inputBlock(block, blockId, ctx);
      default:
        return unsupported(`a "${String(block.type ?? 'unknown')}" block`);
    }
  });
}

/**
 * The body of a message: its blocks, or its text as mrkdwn when it has none (as Slack does).
 * @param {{ text?: unknown, blocks?: unknown }} message
 * @param {RenderContext} [ctx]
 * @returns {VNode[]}
 */
export function renderMessageBody(message, ctx = {}) {
  if (Array.isArray(message.blocks) && message.blocks.length > 0)
    return renderBlocks(message.blocks, ctx);
  return [
    h(
      'div',
      { class: 'block block-text' },
      mrkdwn(typeof message.text === 'string' ? message.text : '', ctx),
    ),
  ];
}
