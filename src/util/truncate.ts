/**
 * Cuts `s` to at most `max` UTF-16 units (what JavaScript and Slack count), ending in an
 * ellipsis when anything was dropped. Never splits a surrogate pair.
 */
export function truncate(s: string, max: number, ellipsis = '…'): string {
  if (s.length <= max) return s;
  if (max <= 0) return '';
  if (max <= ellipsis.length) return ellipsis.slice(0, max);
  return headOf(s, max - ellipsis.length) + ellipsis;
}

/** The first `n` UTF-16 units of `s`, one fewer when the cut would split a surrogate pair. */
export function headOf(s: string, n: number): string {
  const last = s.charCodeAt(n - 1);
  return s.slice(0, last >= 0xd800 && last <= 0xdbff ? n - 1 : n);
}
