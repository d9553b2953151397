// The tiny virtual tree render.js builds and the page turns into DOM nodes, and the checks on
// what may become an attribute. Strings only ever become text nodes or checked attribute values.

/**
 * @typedef {{ tag: string, attrs: Record<string, string>, children: VNode[] }} VElement
 * @typedef {VElement | string} VNode
 * @typedef {{
 *   users?: Record<string, string>,
 *   channels?: Record<string, string>,
 *   groups?: Record<string, string>,
 *   timeZone?: string,
 *   locale?: string,
 *   now?: number,
 *   idPrefix?: string,
 * }} RenderContext
 */

/**
 * An element of the virtual tree; `null`, `undefined` and `false` children are dropped.
 * @param {string} tag
 * @param {Record<string, string | undefined>} [attrs]
 * @param {...(VNode | VNode[] | null | undefined | false)} children
 * @returns {VElement}
 */
export function h(tag, attrs = {}, ...children) {
  /** @type {Record<string, string>} */
  const clean = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) clean[k] = v;
  /** @type {VNode[]} */
  const flat = [];
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) flat.push(c);
  return { tag, attrs: clean, children: flat };
}

/** All text of a tree, for tests and accessible names. @param {VNode | VNode[]} node @returns {string} */
export function textOf(node) {
  if (Array.isArray(node)) return node.map(textOf).join('');
  if (typeof node === 'string') return node;
  if (node.tag === 'br') return '\n';
  return node.children.map(textOf).join('');
}

/** Slack escapes only these three in message text. @param {string} s */
export function decodeEntities(s) {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

const SAFE_URL = /^(https?:\/\/|mailto:)/i;

/** Whether a link target may become an href (no javascript:, data: and the like). @param {string} url */
export function isSafeUrl(url) {
  return SAFE_URL.test(url) && !/[\s<>"]/.test(url);
}
