// Slack mrkdwn and Block Kit, rendered to a tiny virtual tree the page turns into DOM nodes.
// Pure functions with no DOM access, so they run (and are tested) in Node as well. Strings
// from the bot only ever become text nodes or checked attribute values: nothing here produces
// HTML, so nothing the bot sends can inject markup.

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

// ---------------------------------------------------------------------------------------
// mrkdwn

/**
 * Renders Slack mrkdwn: `*bold*`, `_italic_`, `~strike~`, `` `code` ``, ```` ```pre``` ````,
 * `>` quotes, line breaks, links, user/channel/group mentions and date tokens.
 * @param {string} text
 * @param {RenderContext} [ctx]
 * @returns {VNode[]}
 */
export function mrkdwn(text, ctx = {}) {
  /** @type {VNode[]} */
  const out = [];
  const parts = String(text).split(/```/);
  // Odd parts sit between fences; a fence left unclosed is shown as typed.
  const closed = parts.length % 2 === 1 ? parts.length : parts.length - 1;
  parts.forEach((part, i) => {
    if (i % 2 === 1 && i < closed) {
      out.push(h('pre', { class: 'pre' }, decodeEntities(part.replace(/^\n/, ''))));
      return;
    }
    // Around a code block (itself a block) the line breaks next to the fences are not shown.
    let stretch = i % 2 === 1 ? `\`\`\`${part}` : part;
    if (i > 0) stretch = stretch.replace(/^\n/, '');
    if (i < closed - 1) stretch = stretch.replace(/\n$/, '');
    if (stretch) out.push(...paragraphs(stretch, ctx));
  });
  return out;
}

/** Lines of one non-code stretch; runs of `>` lines become one quote. @param {string} text @param {RenderContext} ctx */
function paragraphs(text, ctx) {
  /** @type {VNode[]} */
  const out = [];
  /** @type {string[] | null} */
  let quote = null;
  const flushQuote = () => {
    if (quote) out.push(h('blockquote', {}, joinLines(quote.map((l) => inline(l, ctx)))));
    quote = null;
  };
  text.split('\n').forEach((line, i) => {
    const q = /^(?:>|&gt;)\s?(.*)$/.exec(line);
    if (q) {
      quote = quote ?? [];
      quote.push(q[1] ?? '');
      return;
    }
    // A quote is a block of its own, so the line after it needs no break.
    if (quote) flushQuote();
    else if (i > 0) out.push(h('br'));
    out.push(...inline(line, ctx));
  });
  flushQuote();
  return out;
}

/** @param {VNode[][]} lines @returns {VNode[]} */
function joinLines(lines) {
  return lines.flatMap((l, i) => (i === 0 ? l : [h('br'), ...l]));
}

/**
 * @typedef {{ c: string, lit?: boolean } | { node: VNode }} Unit
 */

/**
 * One line of mrkdwn: tokens (`<…>`, code spans, entities) become atomic units first, then
 * emphasis is matched around them with Slack's word-boundary rules.
 * @param {string} line
 * @param {RenderContext} ctx
 * @returns {VNode[]}
 */
function inline(line, ctx) {
  /** @type {Unit[]} */
  const units = [];
  let i = 0;
  while (i < line.length) {
    const ch = line[i] ?? '';
    if (ch === '<') {
      const end = line.indexOf('>', i + 1);
      if (end > i + 1) {
        units.push({ node: angleToken(line.slice(i + 1, end), ctx) });
        i = end + 1;
        continue;
      }
    }
    if (ch === '`') {
      const end = line.indexOf('`', i + 1);
      if (end > i + 1) {
        units.push({ node: h('code', {}, codeText(line.slice(i + 1, end), ctx)) });
        i = end + 1;
        continue;
      }
    }
    if (ch === '&') {
      const entity = /^&(lt|gt|amp);/.exec(line.slice(i));
      if (entity) {
        units.push({ c: decodeEntities(entity[0]), lit: true });
        i += entity[0].length;
        continue;
      }
    }
    units.push({ c: ch });
    i += 1;
  }
  return emphasis(units, 0, units.length);
}

/** Code keeps its characters; only Slack's escapes are undone. @param {string} s @param {RenderContext} _ctx */
function codeText(s, _ctx) {
  return decodeEntities(s);
}

const EMPHASIS = /** @type {Record<string, string>} */ ({ '*': 'strong', _: 'em', '~': 'del' });

/** @param {Unit | undefined} u */
const isSpace = (u) => u !== undefined && 'c' in u && /\s/.test(u.c);
/** A neighbour that lets a delimiter count: none, a space or punctuation, never a letter or digit. @param {Unit | undefined} u */
const isBoundary = (u) => u === undefined || ('c' in u && !/[\p{L}\p{N}]/u.test(u.c));

/**
 * @param {Unit[]} units
 * @param {number} from
 * @param {number} to
 * @returns {VNode[]}
 */
function emphasis(units, from, to) {
  /** @type {VNode[]} */
  const out = [];
  let text = '';
  const flush = () => {
    if (text) out.push(text);
    text = '';
  };
  let i = from;
  while (i < to) {
    const u = /** @type {Unit} */ (units[i]);
    if ('node' in u) {
      flush();
      out.push(u.node);
      i += 1;
      continue;
    }
    const tag = u.lit ? undefined : EMPHASIS[u.c];
    if (tag && isBoundary(i === from ? undefined : units[i - 1]) && i + 1 < to) {
      const next = units[i + 1];
      if (next && !isSpace(next)) {
        const close = closing(units, i + 1, to, u.c);
        if (close > i + 1) {
          flush();
          out.push(h(tag, {}, emphasis(units, i + 1, close)));
          i = close + 1;
          continue;
        }
      }
    }
    text += u.c;
    i += 1;
  }
  flush();
  return out;
}

/** Index of the delimiter that closes one opened before `start`, or -1. @param {Unit[]} units @param {number} start @param {number} to @param {string} d */
function closing(units, start, to, d) {
  for (let k = start + 1; k < to; k++) {
    const u = units[k];
    if (!u || !('c' in u) || u.c !== d || u.lit) continue;
    if (isSpace(units[k - 1])) continue;
    if (isBoundary(k + 1 < to ? units[k + 1] : undefined)) return k;
  }
  return -1;
}

/**
 * One `<…>` token: a mention, a date, a special mention or a link.
 * @param {string} body the text between the angle brackets
 * @param {RenderContext} ctx
 * @returns {VNode}
 */
function angleToken(body, ctx) {
  const bar = body.indexOf('|');
  const target = bar === -1 ? body : body.slice(0, bar);
  const label = bar === -1 ? undefined : decodeEntities(body.slice(bar + 1));
  if (target.startsWith('@')) {
    const id = target.slice(1);
    const name = ctx.users?.[id] ?? label ?? id;
    return h('span', { class: 'mention', 'data-user': id }, `@${name.replace(/^@/, '')}`);
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    const name = ctx.channels?.[id] ?? label ?? id;
    return h(
      'span',
      { class: 'mention mention-channel', 'data-channel': id },
      `#${name.replace(/^#/, '')}`,
    );
  }
  if (target.startsWith('!subteam^')) {
    const id = target.slice('!subteam^'.length);
    const name = ctx.groups?.[id] ?? label ?? id;
    return h(
      'span',
      { class: 'mention mention-group', 'data-group': id },
      `@${name.replace(/^@/, '')}`,
    );
  }
  if (target.startsWith('!date^')) return dateToken(target, label, ctx);
  if (/^!(here|channel|everyone)$/.test(target)) {
    return h('span', { class: 'mention mention-special' }, `@${target.slice(1)}`);
  }
  if (target.startsWith('!')) return label ?? `<${decodeEntities(body)}>`;
  const url = decodeEntities(target);
  if (isSafeUrl(url)) {
    return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, label ?? url);
  }
  return label ?? url;
}

/**
 * `<!date^1700000000^{date_short_pretty} at {time}^https://optional.link|fallback>`.
 * @param {string} target @param {string | undefined} fallback @param {RenderContext} ctx
 * @returns {VNode}
 */
function dateToken(target, fallback, ctx) {
  const [, seconds = '', format = '', link] = target.split('^');
  const ts = Number(seconds);
  if (!/^-?\d+$/.test(seconds) || !Number.isFinite(ts)) return fallback ?? '';
  const shown = formatSlackDate(ts, decodeEntities(format), ctx);
  const time = h(
    'time',
    { datetime: new Date(ts * 1000).toISOString(), title: fallback ?? undefined },
    shown,
  );
  const href = link === undefined ? '' : decodeEntities(link);
  return isSafeUrl(href)
    ? h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, time)
    : time;
}

const DAY_MS = 86_400_000;

/**
 * A Slack date format (`{date_num}`, `{date}`, `{date_short}`, `{date_long}`, their
 * `_pretty` forms, `{time}`, `{time_secs}`, `{ago}`) in the reader's time zone.
 * @param {number} ts Unix seconds
 * @param {string} format
 * @param {RenderContext} [ctx]
 */
export function formatSlackDate(ts, format, ctx = {}) {
  const date = new Date(ts * 1000);
  const locale = ctx.locale ?? 'en-US';
  const zone = ctx.timeZone ? { timeZone: ctx.timeZone } : {};
  /** @param {Intl.DateTimeFormatOptions} o */
  const fmt = (o) => new Intl.DateTimeFormat(locale, { ...zone, ...o }).format(date);
  const dayKey = (/** @type {Date} */ d) =>
    new Intl.DateTimeFormat('en-CA', {
      ...zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(d);
  const now = ctx.now ?? Date.now();
  const pretty = (/** @type {string} */ plain) => {
    const key = dayKey(date);
    if (key === dayKey(new Date(now))) return 'Today';
    if (key === dayKey(new Date(now - DAY_MS))) return 'Yesterday';
    if (key === dayKey(new Date(now + DAY_MS))) return 'Tomorrow';
    return plain;
  };
  const short = () => fmt({ month: 'short', day: 'numeric', year: 'numeric' });
  const medium = () => fmt({ month: 'long', day: 'numeric', year: 'numeric' });
  const long = () => fmt({ weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' });
  /** @type {Record<string, () => string>} */
  const tokens = {
    date_num: () => dayKey(date),
    date: medium,
    date_short: short,
    date_long: long,
    date_pretty: () => pretty(medium()),
    date_short_pretty: () => pretty(short()),
    date_long_pretty: () => pretty(long()),
    time: () => fmt({ hour: 'numeric', minute: '2-digit' }),
    time_secs: () => fmt({ hour: 'numeric', minute: '2-digit', second: '2-digit' }),
    ago: () => ago(ts * 1000, now),
  };
  return format.replace(/\{([a-z_]+)\}/g, (whole, name) => tokens[name]?.() ?? whole);
}

/** "3 minutes ago", "in 2 hours". @param {number} ms @param {number} now */
function ago(ms, now) {
  const diff = Math.round((now - ms) / 1000);
  const abs = Math.abs(diff);
  /** @type {[number, string][]} */
  const units = [
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, name] of units) {
    if (abs >= size) {
      const n = Math.floor(abs / size);
      const span = `${n} ${name}${n === 1 ? '' : 's'}`;
      return diff >= 0 ? `${span} ago` : `in ${span}`;
    }
  }
  return 'just now';
}

// ---------------------------------------------------------------------------------------
// Block Kit

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
