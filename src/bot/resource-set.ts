import type { TokenCredential } from '@azure/identity';
import type { WebClient } from '@slack/web-api';
import { InvalidJobIdError } from '../api/errors.ts';
import type { FilesClient } from '../api/files.ts';
import { createFineTuningClient } from '../api/index.ts';
import type { FineTuningJob } from '../api/schemas.ts';
import type {
  ClientAuth,
  FineTuningClient,
  ListOptions,
  RequestInfo,
  RetryPolicy,
} from '../api/types.ts';
import type { GatePolicy } from '../handlers/approval/index.ts';
import { ApproverRoles } from '../handlers/approval/index.ts';
import { jobKey, splitJobKey } from '../vocabulary/index.ts';
import type { ResourceConfig } from './config/index.ts';

/**
 * One client, one approval policy and one health record per configured resource, and the
 * ways the rest of ftops reaches them: a client per resource that speaks job keys
 * (`<resource>:ftjob-…`), and one that routes any key to its resource. Only this module and
 * the composition root know how many resources there are.
 */

/** A resource's recent health, from its own calls only. */
export interface ResourceHealth {
  /** Calls in a row that got no answer or a 5xx. */
  failuresInARow: number;
  /** The last call was refused (401/403): the key or the role is wrong. */
  authFailing: boolean;
  lastStatus?: number;
}

/** A resource as built: its config, its clients and its health. */
export interface Resource {
  readonly config: ResourceConfig;
  readonly name: string;
  /** Where it is, for messages ("myres.openai.azure.com"). */
  readonly host: string;
  /** Speaks this resource's job keys: IDs in and out are `jobKey(name, id)`. */
  readonly client: FineTuningClient;
  /** The resource's files (a job's result file), by the service's own file IDs. */
  readonly files: FilesClient;
  readonly policy: GatePolicy;
  readonly health: ResourceHealth;
}

export interface ResourceSetOptions {
  resources: readonly ResourceConfig[];
  slack: Pick<WebClient, 'usergroups'>;
  credential?: TokenCredential;
  retryPolicy?: RetryPolicy;
  timeoutMs?: number;
  onRequest?: (resource: string, info: RequestInfo) => void;
}

/** A resource is "down" after this many calls in a row failed without an answer or with a 5xx. */
export const DOWN_AFTER_FAILURES = 3;

export class ResourceSet {
  readonly #byName = new Map<string, Resource>();
  readonly #raw: FineTuningClient[] = [];
  /** Routes any job key to its resource's client. */
  readonly routed: FineTuningClient;

  constructor(opts: ResourceSetOptions) {
    for (const config of opts.resources) {
      const health: ResourceHealth = { failuresInARow: 0, authFailing: false };
      const raw = createFineTuningClient({
        baseUrl: config.baseUrl,
        auth: resolveAuth(config.auth, opts.credential),
        ...(config.apiVersion ? { apiVersion: config.apiVersion } : {}),
        ...(config.headers ? { headers: config.headers } : {}),
        ...(opts.retryPolicy ? { retryPolicy: opts.retryPolicy } : {}),
        ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
        onRequest: (info) => {
          noteHealth(health, info.status);
          opts.onRequest?.(config.name, info);
        },
      });
      this.#raw.push(raw);
      this.#byName.set(config.name, {
        config,
        name: config.name,
        host: hostOf(config.baseUrl),
        client: keyed(raw, config.name),
        files: raw,
        policy: {
          config: config.approval,
          roles: new ApproverRoles({ slack: opts.slack, approvers: config.approval.approvers }),
        },
        health,
      });
    }
    this.routed = routedClient((name) => this.#byName.get(name)?.client);
  }

  get names(): string[] {
    return [...this.#byName.keys()];
  }

  get all(): Resource[] {
    return [...this.#byName.values()];
  }

  get(name: string): Resource | undefined {
    return this.#byName.get(name);
  }

  /**
   * Takes the approval policies, sweep intervals and links of a reloaded configuration; the
   * clients and their health stay (a change to those is refused before this, see reload.ts).
   */
  applyReload(resources: readonly ResourceConfig[], slack: Pick<WebClient, 'usergroups'>): void {
    for (const config of resources) {
      const old = this.#byName.get(config.name);
      if (!old) continue;
      const sameApprovers =
        JSON.stringify(old.config.approval.approvers) === JSON.stringify(config.approval.approvers);
      this.#byName.set(config.name, {
        ...old,
        config,
        policy: {
          config: config.approval,
          // A new approver list needs a new role check (and its membership cache) too.
          roles: sameApprovers
            ? old.policy.roles
            : new ApproverRoles({ slack, approvers: config.approval.approvers }),
        },
      });
    }
  }

  /** The resource job `key` belongs to; undefined for a key of no configured resource. */
  of(key: string): Resource | undefined {
    const split = splitJobKey(key);
    return split ? this.#byName.get(split.resource) : undefined;
  }

  async close(): Promise<void> {
    await Promise.all(this.#raw.map((c) => c.close()));
  }
}

function noteHealth(health: ResourceHealth, status: number): void {
  health.lastStatus = status;
  if (status === 401 || status === 403) health.authFailing = true;
  else if (status > 0 && status < 400) health.authFailing = false;
  if (status === 0 || status >= 500) health.failuresInARow++;
  else health.failuresInARow = 0;
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

/** The bare ID a key of `resource` names; a key of another resource is not an ID here. */
function bareId(key: string, resource: string): string {
  const split = splitJobKey(key);
  if (!split || split.resource !== resource) throw new InvalidJobIdError(key);
  return split.id;
}

/** `client` with job keys of `resource` in and out, so stores and views never see bare IDs. */
export function keyed(client: FineTuningClient, resource: string): FineTuningClient {
  const out = (job: FineTuningJob): FineTuningJob => ({ ...job, id: jobKey(resource, job.id) });
  const after = (opts: ListOptions | undefined) =>
    opts?.after !== undefined ? { ...opts, after: bareId(opts.after, resource) } : opts;
  return {
    async listJobs(opts) {
      const page = await client.listJobs(after(opts) as typeof opts);
      return { ...page, data: page.data.map(out) };
    },
    async *jobs(opts) {
      for await (const job of client.jobs(after(opts))) yield out(job);
    },
    getJob: async (id, o) => out(await client.getJob(bareId(id, resource), o)),
    pauseJob: async (id, o) => out(await client.pauseJob(bareId(id, resource), o)),
    resumeJob: async (id, o) => out(await client.resumeJob(bareId(id, resource), o)),
    cancelJob: async (id, o) => out(await client.cancelJob(bareId(id, resource), o)),
    listEvents: async (id, o) => client.listEvents(bareId(id, resource), o),
    listCheckpoints: async (id, o) => client.listCheckpoints(bareId(id, resource), o),
    close: () => client.close(),
  };
}

/** Sends each call about a job to the client of the key's resource. */
function routedClient(
  clientOf: (resource: string) => FineTuningClient | undefined,
): FineTuningClient {
  const pick = (key: string): FineTuningClient => {
    const split = splitJobKey(key);
    const client = split ? clientOf(split.resource) : undefined;
    if (!client) throw new InvalidJobIdError(key);
    return client;
  };
  const noListing = (): never => {
    throw new TypeError('listing needs a resource: use that resource’s client');
  };
  return {
    listJobs: async () => noListing(),
    jobs: noListing,
    getJob: async (key, o) => pick(key).getJob(key, o),
    pauseJob: async (key, o) => pick(key).pauseJob(key, o),
    resumeJob: async (key, o) => pick(key).resumeJob(key, o),
    cancelJob: async (key, o) => pick(key).cancelJob(key, o),
    listEvents: async (key, o) => pick(key).listEvents(key, o),
    listCheckpoints: async (key, o) => pick(key).listCheckpoints(key, o),
    close: async () => undefined,
  };
}

function resolveAuth(auth: Readonly<ClientAuth>, credential?: TokenCredential): ClientAuth {
  if (auth.type !== 'entra') return { ...auth };
  // Without a credential the client loads DefaultAzureCredential on its first token request
  // (api/auth.ts), so @azure/identity is never held by a deployment that uses a key.
  const chosen = credential ?? auth.credential;
  return { ...auth, ...(chosen ? { credential: chosen } : {}) };
}
