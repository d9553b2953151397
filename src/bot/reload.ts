import type { Config, ResourceConfig } from './config/index.ts';
import { ConfigError } from './config/index.ts';

/**
 * What a reload of FT_CONFIG may change while ftops runs, and what it may not. The channel
 * rules, the approval policies and the sweep intervals apply at once; a change to the
 * resources themselves (added, removed, another endpoint, key or kind) needs new clients and
 * sweeps, so such a reload is refused as a whole and the running configuration stays: half a
 * reload would be harder to reason about than none.
 */

export type ReloadResult = { ok: true; changed: string[] } | { ok: false; problems: string[] };

/** The parts of a resource that need a restart to change. */
function connectionOf(r: ResourceConfig): string {
  return JSON.stringify([
    r.name,
    r.kind,
    r.baseUrl,
    r.auth,
    r.apiVersion,
    r.headers,
    r.webhookSecret,
  ]);
}

/** Compares two configurations; the problems that keep `next` from applying, else what changed. */
export function planReload(current: Config, next: Config): ReloadResult {
  const problems: string[] = [];
  const before = new Map(current.resources.map((r) => [r.name, r]));
  const after = new Map(next.resources.map((r) => [r.name, r]));
  for (const name of before.keys())
    if (!after.has(name))
      problems.push(`resource ${name} was removed: restart ftops to apply that`);
  for (const [name, r] of after) {
    const old = before.get(name);
    if (!old) problems.push(`resource ${name} was added: restart ftops to apply that`);
    else if (connectionOf(old) !== connectionOf(r))
      problems.push(
        `resource ${name} has a new endpoint, key or kind: restart ftops to apply that`,
      );
  }
  if (problems.length > 0) return { ok: false, problems };
  const changed: string[] = [];
  if (JSON.stringify(current.access) !== JSON.stringify(next.access)) changed.push('channel rules');
  for (const [name, r] of after) {
    const old = before.get(name) as ResourceConfig;
    if (JSON.stringify(old.approval) !== JSON.stringify(r.approval))
      changed.push(`approval policy of ${name}`);
    if (old.pollIntervalSeconds !== r.pollIntervalSeconds)
      changed.push(`sweep interval of ${name}`);
    if (old.jobUrl !== r.jobUrl) changed.push(`job links of ${name}`);
    if (JSON.stringify(old.pricePerMillionTokens) !== JSON.stringify(r.pricePerMillionTokens))
      changed.push(`training price of ${name}`);
  }
  return { ok: true, changed };
}

/** Loads the configuration again; a bad file becomes the list of its problems. */
export function tryLoad(
  load: () => Config,
): { ok: true; config: Config } | { ok: false; problems: string[] } {
  try {
    return { ok: true, config: load() };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, problems: [...err.problems] };
    throw err;
  }
}
