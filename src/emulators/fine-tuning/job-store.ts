import { type FineTuningJob, isTerminal } from '../../api/schemas.ts';
import type { AddJobInput, SimJob } from './sim-types.ts';
import { advanceTo, createSimJob } from './simulation.ts';

/** `metadata[k]=v` pairs a listing must match; `null` asks for jobs without metadata. */
export type MetadataFilter = Record<string, string> | null;

/**
 * All emulated jobs: a Map by ID plus one array kept sorted newest first (created_at, then
 * ID, both descending), so a list page is a binary search and a slice, never a sort.
 * Jobs with a pending automatic transition are also kept in `active`, so moving the clock
 * touches only those.
 */
export class JobStore {
  private readonly byId = new Map<string, SimJob>();
  private order: SimJob[] = [];
  private readonly active = new Set<SimJob>();
  /** Result files by ID: the job whose metrics each one holds. */
  private readonly files = new Map<string, SimJob>();
  /** Jobs whose finish `onFinish` has heard of; only kept when there is an `onFinish`. */
  private readonly finished = new Set<SimJob>();

  /**
   * `onFinish` is told once each time a job enters succeeded, failed or cancelled, by the
   * clock, the API or by hand (the emulator's webhooks hang on it).
   */
  constructor(private readonly onFinish?: (sim: SimJob) => void) {}

  /** Creates a job at virtual time `now` and returns its simulation state. */
  add(input: AddJobInput, now: number): SimJob {
    const sim = createSimJob(input, now);
    if (this.byId.has(sim.job.id)) throw new Error(`job ${sim.job.id} already exists`);
    this.byId.set(sim.job.id, sim);
    this.order.splice(this.insertionIndex(sim.job), 0, sim);
    // Added already finished: it never changed status, so there is nothing to tell.
    if (this.onFinish && isTerminal(sim.job.status)) this.finished.add(sim);
    this.touch(sim);
    return sim;
  }

  get(id: string): SimJob | undefined {
    return this.byId.get(id);
  }

  /** The job whose result file `fileId` is. */
  fileOwner(fileId: string): SimJob | undefined {
    return this.files.get(fileId);
  }

  /** Deletes a job, as when its resource is deleted; false when there was none. */
  remove(id: string): boolean {
    const sim = this.byId.get(id);
    if (!sim) return false;
    this.byId.delete(id);
    this.order.splice(this.order.indexOf(sim), 1);
    this.active.delete(sim);
    this.finished.delete(sim);
    for (const f of sim.job.result_files ?? []) if (this.files.get(f) === sim) this.files.delete(f);
    return true;
  }

  get size(): number {
    return this.byId.size;
  }

  /** Call after changing a job by hand: re-sorts it if its created_at moved, re-tracks it. */
  changed(sim: SimJob, previousCreatedAt: number | null): void {
    if (sim.job.created_at !== previousCreatedAt) {
      // The array is sorted by the old key, which the job no longer has: find it by identity.
      this.order.splice(this.order.indexOf(sim), 1);
      this.order.splice(this.insertionIndex(sim.job), 0, sim);
    }
    this.touch(sim);
  }

  /** Marks a job as waiting for the clock (or not) after any change of its plan. */
  touch(sim: SimJob): void {
    if (sim.nextAt === null) this.active.delete(sim);
    else this.active.add(sim);
    this.noticeFinish(sim);
    this.indexFiles(sim);
  }

  /** Plays every due transition of every active job up to virtual time `now`. */
  advance(now: number): void {
    for (const sim of this.active) {
      advanceTo(sim, now);
      this.noticeFinish(sim);
      this.indexFiles(sim);
      if (sim.nextAt === null) this.active.delete(sim);
    }
  }

  /** One page newest first after job `after` (an unknown ID gives an empty page). */
  list(after: string | undefined, limit: number, metadata?: MetadataFilter) {
    let start = 0;
    if (after !== undefined) {
      const sim = this.byId.get(after);
      start = sim ? this.insertionIndex(sim.job) + 1 : this.order.length;
    }
    const data: FineTuningJob[] = [];
    let i = start;
    for (; i < this.order.length && data.length < limit; i++) {
      const job = this.order[i]!.job;
      if (matches(job, metadata)) data.push(job);
    }
    let hasMore = false;
    for (; i < this.order.length && !hasMore; i++) hasMore = matches(this.order[i]!.job, metadata);
    return { object: 'list', data, has_more: hasMore };
  }

  clear(): void {
    this.byId.clear();
    this.order = [];
    this.active.clear();
    this.finished.clear();
    this.files.clear();
  }

  /** Files the job names as its results become readable (a job set finished by hand too). */
  private indexFiles(sim: SimJob): void {
    for (const f of sim.job.result_files ?? []) if (!this.files.has(f)) this.files.set(f, sim);
  }

  /** Tells `onFinish` of a job that has just finished; one set back by hand may finish again. */
  private noticeFinish(sim: SimJob): void {
    if (!this.onFinish) return;
    if (!isTerminal(sim.job.status)) {
      this.finished.delete(sim);
      return;
    }
    if (this.finished.has(sim)) return;
    this.finished.add(sim);
    this.onFinish(sim);
  }

  /** Index of the first job that sorts at or after `job` (its own index when it is stored). */
  private insertionIndex(job: Pick<FineTuningJob, 'created_at' | 'id'>): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (newestFirst(this.order[mid]!.job, job) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function newestFirst(
  a: Pick<FineTuningJob, 'created_at' | 'id'>,
  b: Pick<FineTuningJob, 'created_at' | 'id'>,
): number {
  const byTime = (b.created_at ?? 0) - (a.created_at ?? 0);
  if (byTime !== 0) return byTime;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function matches(job: FineTuningJob, filter: MetadataFilter | undefined): boolean {
  if (filter === undefined) return true;
  const meta = job.metadata ?? {};
  if (filter === null) return Object.keys(meta).length === 0;
  for (const [k, v] of Object.entries(filter)) if (meta[k] !== v) return false;
  return true;
}
