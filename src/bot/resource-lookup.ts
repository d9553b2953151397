import type { WebClient } from '@slack/web-api';
import type { PeopleList } from '../access/index.ts';
import { NotFoundError } from '../api/errors.ts';
import type { FineTuningJob } from '../api/schemas.ts';
import { ApproverRoles } from '../handlers/approval/index.ts';
import type { ResourceFailure, ResourceLookup } from '../handlers/deps.ts';
import type { JobStatusStore } from '../store/job-status.ts';
import { errorText } from '../util/error-text.ts';
import { jobKey } from '../vocabulary/index.ts';
import type { ResourceSet } from './resource-set.ts';

/**
 * What the handlers may ask of the resources, answered with the resource set and the poller's
 * index. Every resource is asked at once and on its own: one that hangs or fails is named in
 * the answer and never holds up the others past its own timeout.
 */
export function createResourceLookup(
  set: ResourceSet,
  statuses: Pick<JobStatusStore, 'getMany'>,
  /** How long a command waits for the slowest resource before answering without it. */
  deadlineMs: number = FANOUT_DEADLINE_MS,
): ResourceLookup {
  // A resource still thinking at the deadline is named in the answer like one that failed;
  // its call goes on and its result is dropped (the client's own timeout ends it).
  const inTime = <T>(name: string, call: () => Promise<T>): Promise<T> => {
    if (set.names.length <= 1) return call();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ResourceTooSlowError(name, deadlineMs)), deadlineMs);
    });
    return Promise.race([call(), late]).finally(() => clearTimeout(timer));
  };
  const failure = (resource: string, err: unknown): ResourceFailure => ({
    resource,
    message: errorText(err),
    error: err,
  });
  return {
    names: set.names,
    hostOf: (name) => set.get(name)?.host ?? name,
    kindOf: (name) => set.get(name)?.config.kind ?? 'azure',
    approvalOf: (name) => {
      const resource = set.get(name) ?? set.all[0];
      if (!resource) throw new TypeError('no resource is configured');
      return resource.policy.config;
    },
    roleOn: (name, userId) => {
      const resource = set.get(name);
      if (!resource) throw new TypeError(`no resource is named ${name}`);
      return resource.policy.roles.check(userId);
    },
    async list(names, limit) {
      const answers = await Promise.allSettled(
        names.map((name) => inTime(name, () => clientOf(set, name).listJobs({ limit }))),
      );
      const jobs: FineTuningJob[] = [];
      const failed: ResourceFailure[] = [];
      let hasMore = false;
      answers.forEach((a, i) => {
        if (a.status === 'fulfilled') {
          jobs.push(...a.value.data);
          hasMore ||= a.value.hasMore;
        } else failed.push(failure(names[i] as string, a.reason));
      });
      // Newest first across resources; what falls past `limit` means there is more.
      jobs.sort((a, b) => (b.created_at ?? 0) - (a.created_at ?? 0));
      if (jobs.length > limit) hasMore = true;
      return { jobs: jobs.slice(0, limit), hasMore, failed };
    },
    async find(names, id) {
      const candidates = names.map((name) => jobKey(name, id));
      const known = await statuses.getMany(candidates).catch(() => new Map());
      const indexed = candidates.filter((k) => known.has(k));
      if (indexed.length > 0) return { keys: indexed, failed: [] };
      const answers = await Promise.allSettled(
        names.map((name) => inTime(name, () => clientOf(set, name).getJob(jobKey(name, id)))),
      );
      const keys: string[] = [];
      const failed: ResourceFailure[] = [];
      answers.forEach((a, i) => {
        const name = names[i] as string;
        if (a.status === 'fulfilled') keys.push(jobKey(name, id));
        else if (!(a.reason instanceof NotFoundError)) failed.push(failure(name, a.reason));
      });
      return { keys, failed };
    },
  };
}

/**
 * With several resources, a command asks them at once and answers when all have, or at this
 * deadline without the ones still silent: a hanging resource costs the others' users a few
 * seconds, not the client's 30 s timeout.
 */
export const FANOUT_DEADLINE_MS = 4_000;

/** A resource that had not answered by the fan-out deadline; the message is for a user. */
export class ResourceTooSlowError extends Error {
  readonly resource: string;

  constructor(resource: string, ms: number) {
    super(`no answer within ${ms / 1000} s`);
    this.resource = resource;
    this.name = 'ResourceTooSlowError';
  }
}

function clientOf(set: ResourceSet, name: string) {
  const resource = set.get(name);
  if (!resource) throw new TypeError(`no resource is named ${name}`);
  return resource.client;
}

/**
 * Whether a user is one of a list of people: by ID, or through a user group, looked up with
 * the approver role's cached, fail-closed check. One checker per list, made on first use.
 */
export function createMembership(slack: Pick<WebClient, 'usergroups'>) {
  const checkers = new Map<string, ApproverRoles>();
  return async (userId: string, people: PeopleList): Promise<boolean> => {
    const id = `${people.users.join(',')}|${people.groups.join(',')}`;
    let checker = checkers.get(id);
    if (!checker) {
      checker = new ApproverRoles({ slack, approvers: people });
      checkers.set(id, checker);
    }
    return (await checker.check(userId).catch(() => ({ approver: false }))).approver;
  };
}
