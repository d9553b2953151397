import { headOf, truncate } from '../util/truncate.ts';

export { truncate };

/**
 * Text helpers for Slack mrkdwn. Every string that came from outside (a user, the API, a
 * config file) passes through `escapeMrkdwn` before it lands in a message, so that nobody
 * can smuggle `<!channel>`, `<@U…>`, `<!subteam^…>` or a disguised link into what ftops posts.
 */

declare const mrkdwnBrand: unique symbol;

/**
 * Text that is safe to post as Slack mrkdwn. Only this module makes one (the escapers, the
 * mention and date tokens, and `md`, whose holes accept nothing but `Mrkdwn` and numbers), and
 * every block builder and message view takes nothing else: outside text cannot reach Slack
 * without passing an escaper. `as Mrkdwn` anywhere else is refused by test/views/safe-text.test.ts.
 */
export type Mrkdwn = string & { readonly [mrkdwnBrand]: true };

/**
 * Text that is not yet mrkdwn: any string except a `Mrkdwn`, so that escaping twice (which
 * would show `&amp;lt;` to the reader) does not compile.
 */
export type Raw = string & { readonly [mrkdwnBrand]?: never };

/** Our own words: the only cast, private to this module. */
const trusted = (s: string) => s as Mrkdwn;

/** The empty text. */
export const EMPTY: Mrkdwn = trusted('');

/**
 * Mrkdwn written in code: the literal parts are ours, and each hole must already be `Mrkdwn`
 * (escaped, a mention, a date token, another `md`) or a number.
 */
export function md(
  strings: TemplateStringsArray,
  ...holes: ReadonlyArray<Mrkdwn | number>
): Mrkdwn {
  let out = strings[0] ?? '';
  for (let i = 0; i < holes.length; i++) out += String(holes[i]) + (strings[i + 1] ?? '');
  return trusted(out);
}

/** Separators `joinMd` accepts: fixed punctuation, never outside text. */
export type Separator = '' | ' ' | '\n' | '\n\n' | ', ' | ' · ' | ' | ' | ' → ' | ' or ' | ' and ';

/** Joins safe texts with one of our separators. */
export function joinMd(parts: readonly Mrkdwn[], separator: Separator): Mrkdwn {
  return trusted(parts.join(separator));
}

/**
 * C0/C1 control characters (tab and newline are kept), plus the bidirectional overrides and
 * isolates that can make text read differently from what it is ("Trojan Source").
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE_CHARS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFEFF]/g;

/** Neutralises control and bidi-override characters, replacing each with U+FFFD. */
export function stripControl(s: string): string {
  return s.replace(UNSAFE_CHARS, '\uFFFD');
}

/** Escapes `&`, `<` and `>` the way Slack asks, and neutralises control characters. */
export function escapeMrkdwn(s: Raw): Mrkdwn {
  return trusted(
    stripControl(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  );
}

/** `escapeMrkdwn` for one-line contexts: newlines and tabs become single spaces. */
export function escapeInline(s: Raw): Mrkdwn {
  return escapeMrkdwn(s.replace(/[\r\n\t\u2028\u2029]+/g, ' '));
}

/**
 * Text for a `plain_text` object. Slack does not parse mentions there, but angle brackets are
 * swapped for look-alikes anyway so that no raw `<!channel>` ever sits in a payload.
 */
export function plainText(s: string): string {
  return stripControl(s).replace(/</g, '‹').replace(/>/g, '›');
}

/**
 * An inline code span. Backticks inside would close the span early, so they become a
 * look-alike; the content is escaped like any other outside text.
 */
export function code(s: Raw): Mrkdwn {
  const inner = escapeInline(s).replace(/`/g, 'ˋ');
  return trusted(inner.length === 0 ? '' : `\`${inner}\``);
}

/**
 * `truncate` for text that is already mrkdwn: never leaves half an `&amp;` entity or half a
 * `<…>` token (a mention or date) behind, since those would render as garbage.
 */
export function truncateMrkdwn(s: Mrkdwn, max: number, ellipsis = '…'): Mrkdwn {
  if (s.length <= max) return s;
  if (max <= ellipsis.length) return escapeMrkdwn(truncate(s, max, ellipsis));
  let cut = dropPartialTokens(headOf(s, max - ellipsis.length));
  // An odd count of backticks means we cut inside a code span: close it (making room first).
  if ((cut.match(/`/g)?.length ?? 0) % 2 === 1) {
    const inner = dropPartialTokens(headOf(cut, max - ellipsis.length - 1));
    const open = inner.lastIndexOf('`');
    const stillOdd = (inner.match(/`/g)?.length ?? 0) % 2 === 1;
    cut =
      stillOdd && open < inner.length - 1
        ? `${inner}\``
        : inner.slice(0, stillOdd ? open : undefined);
  }
  return trusted(cut + ellipsis);
}

/** Drops a trailing half `&…;` entity or half `<…>` token left by a cut. */
function dropPartialTokens(cut: string): string {
  let out = cut;
  const amp = out.lastIndexOf('&');
  if (amp !== -1 && !out.slice(amp).includes(';')) out = out.slice(0, amp);
  const open = out.lastIndexOf('<');
  if (open !== -1 && open > out.lastIndexOf('>')) out = out.slice(0, open);
  return out;
}

/** Whether `n` is a usable Unix time in seconds (finite, positive). */
function isUnixSeconds(n: number | null | undefined): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 && n < 1e11;
}

/** `2024-07-23 12:00 UTC` for a Unix time in seconds. */
export function formatUtc(unixSeconds: number): string {
  if (!isUnixSeconds(unixSeconds)) return 'unknown time';
  const iso = new Date(Math.trunc(unixSeconds) * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * A Slack date token that each reader sees in their own time zone, with a plain UTC
 * fallback for clients that cannot render it: `<!date^123^{date_short_pretty} {time}|…>`.
 */
export function slackDate(unixSeconds: number | null | undefined, fallback?: string): Mrkdwn {
  if (!isUnixSeconds(unixSeconds)) return escapeMrkdwn(fallback ?? '—');
  const ts = Math.trunc(unixSeconds);
  // `|` and `>` would end the token early; the fallback is ours, but stay safe anyway.
  const shown = escapeInline(fallback ?? formatUtc(ts)).replace(/\|/g, '¦');
  return trusted(`<!date^${ts}^{date_short_pretty} {time}|${shown}>`);
}

/**
 * A Slack date token that reads "3 minutes ago" and keeps itself current in every client,
 * with a plain UTC fallback: `<!date^123^{ago}|…>`.
 */
export function slackAgo(unixSeconds: number | null | undefined): Mrkdwn {
  if (!isUnixSeconds(unixSeconds)) return trusted('—');
  const ts = Math.trunc(unixSeconds);
  return trusted(`<!date^${ts}^{ago}|${formatUtc(ts)}>`);
}

/**
 * How long ago `unixSeconds` was, as seen at `nowMs`: "just now", "5m ago", "3h ago",
 * "2d ago"; a time in the future reads "in 5m".
 */
export function timeAgo(unixSeconds: number | null | undefined, nowMs: number): string {
  if (!isUnixSeconds(unixSeconds) || !Number.isFinite(nowMs)) return 'unknown age';
  const diff = Math.round(nowMs / 1000 - unixSeconds);
  const span = formatSpan(Math.abs(diff));
  if (span === null) return 'just now';
  return diff >= 0 ? `${span} ago` : `in ${span}`;
}

/** `5m`, `3h`, `2d`, `7w` for a span in seconds; null under a minute. */
export function formatSpan(seconds: number): string | null {
  if (seconds < 60) return null;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  if (seconds < 86400 * 14) return `${Math.floor(seconds / 86400)}d`;
  return `${Math.floor(seconds / (86400 * 7))}w`;
}

/** How long something took, to the minute: `under a minute`, `14m`, `2h 14m`, `3d 4h`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 60) return 'under a minute';
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** A user mention for a validated Slack user ID, or escaped text when the ID looks wrong. */
export function userMention(userId: string): Mrkdwn {
  return isSlackUserId(userId) ? trusted(`<@${userId}>`) : code(userId);
}

/** A user-group mention for a validated `S…` ID, or escaped text when it looks wrong. */
export function groupMention(groupId: string): Mrkdwn {
  return isSlackGroupId(groupId) ? trusted(`<!subteam^${groupId}>`) : code(groupId);
}

/**
 * A link with a label, for URLs ftops builds from its configuration: only https, with the
 * characters that would end the token early encoded; the label is escaped.
 */
export function link(url: string, label: Raw): Mrkdwn {
  if (!/^https:\/\//i.test(url)) return escapeInline(label);
  const safe = url.replace(/[\s<>|]/g, (c) => encodeURIComponent(c));
  return trusted(`<${safe}|${escapeInline(label).replace(/\|/g, '¦')}>`);
}

/** A channel link for a validated `C…`/`G…` ID, or escaped text when the ID looks wrong. */
export function channelRef(channelId: string): Mrkdwn {
  return /^[CG][A-Z0-9]{2,30}$/.test(channelId) ? trusted(`<#${channelId}>`) : code(channelId);
}

/** Slack user IDs: `U…` or `W…` (Enterprise Grid), upper-case letters and digits. */
export function isSlackUserId(id: string): boolean {
  return /^[UW][A-Z0-9]{2,30}$/.test(id);
}

/** Slack user-group IDs: `S…`, upper-case letters and digits. */
export function isSlackGroupId(id: string): boolean {
  return /^S[A-Z0-9]{2,30}$/.test(id);
}
