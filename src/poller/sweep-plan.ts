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
  const perSecond = densityOf(paged);
  return pending.map((p) => pagesToReachOne(p.createdAt, paged, perSecond, pageSize));
}

/** Jobs listed per second of `created_at` over the stretch paged so far. */
function densityOf(paged: PagedSoFar): number {
  return paged.count / Math.max(1, paged.newest - paged.oldest);
}

/** `pagesToReach` of one job, given the density; `Infinity` when only a single read finds it. */
function pagesToReachOne(
  createdAt: number,
  paged: PagedSoFar,
  perSecond: number,
  pageSize: number,
): number {
  if (!paged.hasMore || createdAt <= 0 || createdAt > paged.oldest) return Number.POSITIVE_INFINITY;
  const ahead = (paged.oldest - createdAt) * perSecond + 1;
  return Math.max(1, Math.ceil(ahead / pageSize));
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

/**
 * The jobs a sweep still has to find, as columns (see pending-jobs.ts): `createdAt[i]` for
 * every `i < size` whose `found[i]` is 0.
 */
export interface PendingColumns {
  readonly size: number;
  readonly createdAt: ArrayLike<number>;
  readonly found: ArrayLike<number>;
  /** How many are not found yet, and how many of those have no `created_at` known. */
  readonly left: number;
  readonly unknownLeft: number;
}

/**
 * `shouldReadNextPage` over columns, without an object or an array per job: the same answer
 * (the tests hold them equal), in one pass and one counting array. Reading `k` more pages
 * beats reading the rest singly exactly when more than `k` of them lie within `k` pages.
 */
export function shouldReadNextPageOf(
  pending: PendingColumns,
  paged: PagedSoFar,
  pageSize: number,
): boolean {
  if (pending.left === 0 || !paged.hasMore) return false;
  if ((paged.lastPageHits ?? 0) >= 2 && pending.unknownLeft > 0) return true;
  const perSecond = densityOf(paged);
  // within[k]: pending jobs exactly k pages away; a job further than `left` pages never pays.
  const within = new Uint32Array(pending.left + 1);
  for (let i = 0; i < pending.size; i++) {
    if (pending.found[i]) continue;
    const d = pagesToReachOne(pending.createdAt[i]!, paged, perSecond, pageSize);
    if (d <= pending.left) within[d]!++;
  }
  let reached = 0;
  for (let k = 1; k <= pending.left; k++) {
    reached += within[k]!;
    if (reached > k) return true;
  }
  return false;
}
