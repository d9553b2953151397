import { isValidJobId } from '../api/job-id.ts';

/**
 * A job as ftops names it: `<resource>:ftjob-…`, or the bare `ftjob-…` for the resource named
 * `default`, so a deployment configured by the environment alone keeps its keys, buttons and
 * Redis state from before resources had names. Every store key, button value and approval
 * record holds this form; only the API client gets the bare ID.
 */

/** The one resource whose jobs keep bare IDs: the environment-only configuration's. */
export const DEFAULT_RESOURCE = 'default';

/** Lowercase letters, digits and `-`, up to 40: safe in keys, button values and messages. */
export const RESOURCE_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

export function isResourceName(name: string): boolean {
  return RESOURCE_NAME.test(name);
}

/** The key of job `id` on `resource`. */
export function jobKey(resource: string, id: string): string {
  return resource === DEFAULT_RESOURCE ? id : `${resource}:${id}`;
}

/** The resource and bare ID a key names; null when it is not a valid key. */
export function splitJobKey(key: string): { resource: string; id: string } | null {
  const colon = key.indexOf(':');
  if (colon === -1) return isValidJobId(key) ? { resource: DEFAULT_RESOURCE, id: key } : null;
  const resource = key.slice(0, colon);
  const id = key.slice(colon + 1);
  // `default:ftjob-…` is not a key: the default resource's key is the bare ID, one spelling only.
  if (resource === DEFAULT_RESOURCE || !isResourceName(resource) || !isValidJobId(id)) return null;
  return { resource, id };
}

/** True when `key` is a job key (bare or `<resource>:`). */
export function isValidJobKey(key: string): boolean {
  return key.length <= 170 && splitJobKey(key) !== null;
}

/**
 * What a user typed to name a job: a bare ID (to be looked up in the channel's resources) or
 * one named exactly. `default:ftjob-…` is accepted from users and means the bare key.
 */
export type JobRef =
  | { kind: 'bare'; id: string }
  | { kind: 'exact'; resource: string; id: string; key: string };

export function parseJobRef(text: string): JobRef | null {
  if (isValidJobId(text)) return { kind: 'bare', id: text };
  const colon = text.indexOf(':');
  if (colon === -1) return null;
  const resource = text.slice(0, colon);
  const id = text.slice(colon + 1);
  if (!isResourceName(resource) || !isValidJobId(id)) return null;
  return { kind: 'exact', resource, id, key: jobKey(resource, id) };
}
