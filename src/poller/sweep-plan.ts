/**
 * How a sweep reads the jobs it watches with as few requests as it can: pure functions, so
 * the rule is tested without HTTP.
 *
 * The list endpoint returns jobs newest first, `pageSize` a request; a single read costs one
 * request per job. After each page the sweep knows how densely jobs were created over the
 * stretch it has paged (jobs per second of `created_at`), so it can estimate on which later
 * page each still-unseen watched job sits. It then picks the number of further pages `k` that
 * minimises `k + (watched jobs estimated beyond page k)`; when `k` is 0 the rest are read
 * singly, otherwise one more page is read and the choice is made again with better figures.
 * Ties go to single reads, which are certain to find their job. Jobs never seen (no
 * `created_at` known) are found by paging on while each page still finds two or more of them.
 */

/** A watched job not seen yet in this sweep, with its `created_at` (0 when never seen). */
export interface Pending {
  jobId: string;
  createdAt: number;
}

/** What the pages read so far showed. */
export interface PagedSoFar {
  /** Jobs listed so far in this sweep. */
  count: number;
  /** `created_at` of the newest listed job. */
  newest: number;
  /** `created_at` of the oldest listed job (the last page's end). */
  oldest: number;
  hasMore: boolean;
  /** Pending jobs the last page found. */
  lastPageHits?: number;
}

/** Whether to start with a page: discovery needs one, and one page beats two single reads. */
export function shouldReadFirstPage(pending: number, discover: boolean): boolean {
  return discover || pending >= 2;
}

/**
 * Further pages needed to reach each pending job, estimated from the density seen so far.
 * A job whose `created_at` is unknown, or newer than the oldest listed job (so it should
 * have been listed and was not), is `Infinity`: only a single read finds it.
 */
export function pagesToReach(pending: Pending[], paged: PagedSoFar, pageSize: number): number[] {
  const span = Math.max(1, paged.newest - paged.oldest);
  const perSecond = paged.count / span;
  return pending.map((p) => {
    if (!paged.hasMore || p.createdAt <= 0 || p.createdAt > paged.oldest)
      return Number.POSITIVE_INFINITY;
    const ahead = (paged.oldest - p.createdAt) * perSecond + 1;
    return Math.max(1, Math.ceil(ahead / pageSize));
  });
}

/** The number of further pages that minimises total requests (0 = read the rest singly). */
export function bestPageCount(distances: number[]): number {
  const candidates = [0, ...new Set(distances.filter(Number.isFinite))].sort((a, b) => a - b);
  let best = 0;
  let bestCost = Number.POSITIVE_INFINITY;
  for (const k of candidates) {
    const cost = k + distances.filter((d) => d > k).length;
    if (cost < bestCost) {
      best = k;
      bestCost = cost;
    }
  }
  return best;
}

/** True when the sweep should read one more page rather than finish with single reads. */
export function shouldReadNextPage(
  pending: Pending[],
  paged: PagedSoFar,
  pageSize: number,
): boolean {
  if (pending.length === 0 || !paged.hasMore) return false;
  // Jobs never seen have no `created_at` to aim for; while a page still finds two or more
  // watched jobs it costs less than their single reads, so the sweep pages on (a first sweep
  // of many watches needs a page per hundred jobs instead of a read per job).
  if ((paged.lastPageHits ?? 0) >= 2 && pending.some((p) => p.createdAt <= 0)) return true;
  return bestPageCount(pagesToReach(pending, paged, pageSize)) >= 1;
}
