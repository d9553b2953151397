// Slack's `<!date^…>` formats (`{date_short_pretty}`, `{time}`, `{ago}`, …) in the reader's
// time zone and locale.

/**
 * @typedef {import('./vnode.js').VNode} VNode
 * @typedef {import('./vnode.js').VElement} VElement
 * @typedef {import('./vnode.js').RenderContext} RenderContext
 */

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
