import type { FineTuningJobEvent } from './schemas.ts';
import type { CallOptions, FineTuningClient } from './types.ts';

/**
 * Reading a job's events incrementally. The API lists them newest first and `after` pages
 * towards older ones, so "what is new since the last event I saw" is the first page, and
 * more pages only until that event (or an older one) shows up: one request per read while
 * fewer than a page of events arrived since.
 */

/** The newest event a reader has seen: its ID and `created_at` (Unix s, 0 if unknown). */
export interface EventCursor {
  id: string;
  at: number;
}

export interface EventsSinceOptions extends CallOptions {
  /** Events per page; default 100, the most both services allow. */
  pageSize?: number;
  /** Pages read at most; default 10. Older new events past that are left unread. */
  maxPages?: number;
}

/** What a read found. */
export interface EventsSince {
  /** The new events, oldest first. */
  events: FineTuningJobEvent[];
  /** The cursor for the next read: the newest event now, or the old cursor if nothing is new. */
  cursor: EventCursor | undefined;
  /** False when `maxPages` ran out before reaching the old cursor (or the first event). */
  complete: boolean;
  /** HTTP requests made. */
  requests: number;
}

export const DEFAULT_EVENTS_PAGE = 100;
export const DEFAULT_EVENTS_MAX_PAGES = 10;

/** The events of job `id` newer than `since` (all of them, up to `maxPages`, when none). */
export async function listEventsSince(
  client: Pick<FineTuningClient, 'listEvents'>,
  id: string,
  since: EventCursor | undefined,
  opts: EventsSinceOptions = {},
): Promise<EventsSince> {
  const limit = opts.pageSize ?? DEFAULT_EVENTS_PAGE;
  const maxPages = Math.max(1, opts.maxPages ?? DEFAULT_EVENTS_MAX_PAGES);
  const newestFirst: FineTuningJobEvent[] = [];
  let after: string | undefined;
  let requests = 0;
  let complete = false;
  pages: while (requests < maxPages) {
    const page = await client.listEvents(id, {
      limit,
      ...(after === undefined ? {} : { after }),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    requests++;
    for (const event of page.data) {
      if (since && isAtOrBefore(event, since)) {
        complete = true;
        break pages;
      }
      newestFirst.push(event);
    }
    const last = page.data.at(-1);
    if (!page.hasMore || !last) {
      complete = true;
      break;
    }
    after = last.id;
  }
  const newest = newestFirst[0];
  return {
    events: newestFirst.reverse(),
    cursor: newest ? { id: newest.id, at: newest.created_at ?? 0 } : since,
    complete,
    requests,
  };
}

/**
 * Whether `event` is the cursor's event or older. Events of the cursor's own second may be
 * older or newer, so only the ID decides there; a strictly earlier second is older.
 */
function isAtOrBefore(event: FineTuningJobEvent, since: EventCursor): boolean {
  if (event.id === since.id) return true;
  const at = event.created_at;
  return at !== null && since.at > 0 && at < since.at;
}
