// Slack mrkdwn (bold, italics, strike, code, quotes, lists, links, mentions, dates) as a virtual
// tree. Pure: no DOM, so it runs and is tested in Node as well.

import { formatSlackDate } from './slack-date.js';
import { decodeEntities, h, isSafeUrl } from './vnode.js';

/**
 * @typedef {import('./vnode.js').VNode} VNode
 * @typedef {import('./vnode.js').VElement} VElement
 * @typedef {import('./vnode.js').RenderContext} RenderContext
 */

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
