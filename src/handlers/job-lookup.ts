import { NotFoundError } from '../api/errors.ts';
import type { FineTuningJob } from '../api/schemas.ts';
import { editDistance, splitJobKey } from '../vocabulary/index.ts';
import type { HandlerDeps, ResourceFailure } from './deps.ts';

/**
 * A job ID the fine-tuning API does not know. A user's slip, not a fault: answered with the
 * IDs it most resembles among the newest jobs, and no reference number.
 */
export class JobNotFoundError extends Error {
  constructor(
    readonly jobId: string,
    /** Where it was looked for, e.g. the API's host. */
    readonly where: string,
    readonly suggestions: readonly string[],
  ) {
    super(`${jobId} was not found at ${where}.`);
    this.name = 'JobNotFoundError';
  }
}

/** The known IDs within a few typos of `jobId`, closest first (at most three). */
function closestIds(jobId: string, known: readonly string[]): string[] {
  const limit = Math.max(2, Math.floor(jobId.length / 6));
  return known
    .map((id) => ({ id, d: editDistance(jobId, id) }))
    .filter((x) => x.d > 0 && x.d <= limit)
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((x) => x.id);
}

/**
 * Reads one job; a 404 becomes a JobNotFoundError with suggestions from the newest jobs (one
 * listing call, only then). Other errors pass through as they are.
 */
export function readJob(deps: HandlerDeps, jobId: string): Promise<FineTuningJob> {
  return orNotFound(deps, jobId, () => deps.api.getJob(jobId));
}

/** Runs a read about one job, turning its 404 into a JobNotFoundError with suggestions. */
export async function orNotFound<T>(
  deps: HandlerDeps,
  jobId: string,
  read: () => Promise<T>,
): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    const resource = splitJobKey(jobId)?.resource;
    if (resource === undefined) throw err;
    const known = await deps.resources
      .list([resource], 50)
      .then((p) => p.jobs.map((j) => j.id))
      .catch(() => [] as string[]);
    throw new JobNotFoundError(jobId, deps.resources.hostOf(resource), closestIds(jobId, known));
  }
}

/** None of the resources a command needed answered; each is named with what went wrong. */
export class ResourcesUnavailableError extends Error {
  constructor(failed: readonly ResourceFailure[]) {
    super(
      `None of the resources answered: ${failed.map((f) => `${f.resource} (${f.message})`).join('; ')}`,
    );
    this.name = 'ResourcesUnavailableError';
  }
}
