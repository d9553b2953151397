import { isValidJobId } from '../api/job-id.ts';
import { truncate as clip } from '../util/truncate.ts';
import { REASON_MAX } from './command.ts';
import { parseJobRef } from './job-key.ts';

/** Quote-like characters users (and their keyboards' smart punctuation) wrap IDs in. */
const QUOTES = new Set(['`', '"', "'", '“', '”', '‘', '’', '„', '‚', '«', '»']);

/**
 * Peels the wrappers a job ID may arrive in: code spans, quotes, angle brackets, Slack links
 * `<url|label>`, and URLs whose path holds the ID. What comes out still has to pass
 * `parseJobRef`; this function only unwraps, it never vouches.
 */
export function unwrapJobId(token: string): string {
  let s = decodeEntities(token.trim());
  for (let depth = 0; depth < 12 && s.length > 0; depth++) {
    if (parseJobRef(s) !== null) return s;
    if (s.length >= 2 && s.startsWith('<') && s.endsWith('>')) {
      const inner = s.slice(1, -1);
      const bar = inner.indexOf('|');
      if (bar !== -1) {
        const fromUrl = unwrapJobId(inner.slice(0, bar));
        if (parseJobRef(fromUrl) !== null) return fromUrl;
        s = inner.slice(bar + 1).trim();
      } else {
        s = inner.trim();
      }
      continue;
    }
    const head = s[0] as string;
    const tail = s[s.length - 1] as string;
    if (s.length >= 2 && QUOTES.has(head) && QUOTES.has(tail)) {
      s = s.slice(1, -1).trim();
      continue;
    }
    if (/^https?:\/\//i.test(s)) return idFromUrl(s) ?? s;
    break;
  }
  return s;
}

/** The last path (or fragment-path) segment of an http(s) URL that is a valid job ID. */
function idFromUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  // Segments are not percent-decoded on purpose: `%2F` and friends must fail the gate.
  // Portals with hash routing keep the ID in the fragment, so that is searched after the path.
  for (const part of [url.pathname, url.hash.slice(1)]) {
    const segments = part.split(/[/?&=]/);
    for (let i = segments.length - 1; i >= 0; i--) {
      const seg = segments[i] as string;
      if (isValidJobId(seg)) return seg;
    }
  }
  return null;
}

/** Slack sends `&`, `<` and `>` typed by the user as entities; the parser wants the characters. */
export function decodeEntities(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function cleanReason(raw: string): string | null {
  const s = decodeEntities(raw).trim();
  if (s.length === 0) return null;
  return clip(s, REASON_MAX);
}
