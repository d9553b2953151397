// Building DOM from render.js's nodes, and the page's one status line. Only createElement and
// text nodes: nothing from the bot is ever assigned to innerHTML.

/** @typedef {import('./render.js').VNode} VNode */

export const $ = (/** @type {string} */ id) =>
  /** @type {HTMLElement} */ (document.getElementById(id));

/** @param {VNode} node @returns {Node} */
export function toDom(node) {
  if (typeof node === 'string') return document.createTextNode(node);
  const el = document.createElement(node.tag);
  for (const [name, value] of Object.entries(node.attrs)) {
    // render.js only lets checked http(s)/mailto URLs into href; this is a second lock.
    if (name === 'href' && !/^(https?:|mailto:)/i.test(value)) continue;
    if (name.startsWith('on')) continue;
    if (name === 'value' && el instanceof HTMLInputElement) el.value = value;
    else el.setAttribute(name, value);
  }
  if (el instanceof HTMLTextAreaElement)
    el.value = node.children.map((c) => (typeof c === 'string' ? c : '')).join('');
  else for (const child of node.children) el.append(toDom(child));
  return el;
}

/** @param {VNode[]} nodes */
export function fragment(nodes) {
  const f = document.createDocumentFragment();
  for (const n of nodes) f.append(toDom(n));
  return f;
}

/** @param {string} text @param {boolean} [isError] */
export function say(text, isError = false) {
  const status = $('status');
  status.textContent = text;
  status.classList.toggle('error', isError);
}
