import type { Attribution, JobState } from '../store/job-status.ts';
import type { PendingColumns } from './sweep-plan.ts';

/** What a sweep knows of a job from Redis before reading it: enough to detect a change. */
export type KnownState = Pick<JobState, 'status' | 'changedAt' | 'by'>;

/**
 * The watched, unfinished jobs one sweep still has to read, held as columns rather than an
 * object (or a Map entry) per job: the IDs in one sorted array, the numbers in typed arrays,
 * the statuses as shared strings. 100,000 pending jobs cost about their ID strings plus
 * ~30 bytes each, and nothing is allocated per job while the sweep pages through them.
 */
export class PendingJobs implements PendingColumns {
  /** Job IDs in ascending order (the sweep adds them sorted), so lookups are a binary search. */
  private readonly ids: string[] = [];
  /** Last known status, or undefined for a job ftops has never seen. */
  private readonly status: Array<string | undefined> = [];
  private readonly by: Attribution[] = [];
  readonly createdAt: Float64Array;
  private readonly changedAt: Float64Array;
  readonly found: Uint8Array;
  left = 0;
  unknownLeft = 0;
  /** One instance of each status word, however many jobs share it. */
  private readonly words = new Map<string, string>();

  constructor(capacity: number) {
    this.createdAt = new Float64Array(capacity);
    this.changedAt = new Float64Array(capacity);
    this.found = new Uint8Array(capacity);
  }

  get size(): number {
    return this.ids.length;
  }

  /** Adds a job; IDs must come in ascending order, at most `capacity` of them. */
  add(jobId: string, state: (KnownState & { createdAt: number }) | undefined): void {
    const i = this.ids.length;
    const last = this.ids[i - 1];
    if (last !== undefined && last >= jobId) throw new Error('pending jobs must be added in order');
    this.ids.push(jobId);
    if (state) {
      const word = this.words.get(state.status) ?? state.status;
      this.words.set(word, word);
      this.status.push(word);
      this.by.push(state.by);
      this.createdAt[i] = state.createdAt;
      this.changedAt[i] = state.changedAt;
    } else {
      this.status.push(undefined);
      this.by.push(null);
      this.unknownLeft++;
    }
    this.left++;
  }

  /** Marks a pending job found and returns its index, or -1 if it is not (or no longer) pending. */
  take(jobId: string): number {
    const i = indexOfSorted(this.ids, jobId);
    if (i < 0 || this.found[i]) return -1;
    this.found[i] = 1;
    this.left--;
    if (this.status[i] === undefined) this.unknownLeft--;
    return i;
  }

  /** Marks every job not found yet as found, and returns their IDs (a listing failed). */
  takeRest(): string[] {
    const rest: string[] = [];
    for (let i = 0; i < this.ids.length; i++) if (!this.found[i]) rest.push(this.ids[i]!);
    for (const id of rest) this.take(id);
    return rest;
  }

  /** Indexes of the jobs not found yet. */
  *rest(): Generator<number> {
    for (let i = 0; i < this.ids.length; i++) if (!this.found[i]) yield i;
  }

  idOf(i: number): string {
    return this.ids[i]!;
  }

  /** What Redis knew of job `i` when the sweep began; undefined for a job never seen. */
  stateOf(i: number): KnownState | undefined {
    const status = this.status[i];
    if (status === undefined) return undefined;
    return { status, changedAt: this.changedAt[i]!, by: this.by[i] ?? null };
  }
}

/** Sorts `ids` in place and drops repeats (SSCAN may return a member twice); returns it. */
export function sortUnique(ids: string[]): string[] {
  ids.sort();
  let w = 0;
  for (let r = 0; r < ids.length; r++) if (r === 0 || ids[r] !== ids[w - 1]) ids[w++] = ids[r]!;
  ids.length = w;
  return ids;
}

/** Where `id` sits in the ascending array `sorted`, or -1. */
export function indexOfSorted(sorted: readonly string[], id: string): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (v === id) return mid;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
