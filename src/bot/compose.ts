import type { Server } from 'node:http';
import { errorText } from '../util/error-text.ts';
import { type Config, describeConfig } from './config/index.ts';
import { createHttpServer, listen, type Readiness } from './http-server.ts';
import { planReload, type ReloadResult, tryLoad } from './reload.ts';
import { DOWN_AFTER_FAILURES, type ResourceHealth } from './resource-set.ts';
import { buildServices } from './services.ts';
import type { Ftops, StartOptions } from './start-options.ts';
import { startWebhookReceiver } from './webhook-receiver.ts';
import { startWorkerRole } from './worker-role.ts';

export type { ReloadResult } from './reload.ts';
export { secretsOf } from './services.ts';
export type { Ftops, StartOptions } from './start-options.ts';

/**
 * The composition root: builds every client and service from the config (services.ts) and
 * starts the roles `FT_ROLE` asks for: `web` answers Slack (web-role.ts), `worker` sweeps and
 * announces (worker-role.ts), `all` does both. The HTTP server (health, readiness, metrics)
 * runs in every role.
 */
export async function startFtops(opts: StartOptions): Promise<Ftops> {
  const s = buildServices(opts);
  const { config, logger, metrics, redis, api, approvals, stops } = s;
  // With Entra ID, Redis connections wait for the first token; without, this resolves at once.
  await s.redisConnector.ready();
  // Loaded only where it runs: a worker never holds Bolt and the listeners in memory.
  const slackEvents =
    config.role !== 'worker'
      ? await import('./web-role.ts').then((m) => m.startWebRole(s))
      : undefined;
  const poller = config.role !== 'web' ? await startWorkerRole(s, opts) : undefined;
  // Like Slack's endpoint, a route the outside calls: served where Slack is answered.
  const webhooks = config.role !== 'worker' ? startWebhookReceiver(s) : undefined;

  const readiness = async (): Promise<Readiness> => {
    const checks: Readiness['checks'] = {};
    try {
      await redis.ping();
      checks.redis = { ok: true };
    } catch {
      checks.redis = { ok: false, detail: 'Redis is not answering' };
    }
    const resources = s.resources.all;
    if (resources.length === 1) {
      checks.fineTuningApi = s.apiAuthFailing()
        ? {
            ok: false,
            detail: 'the last fine-tuning API call was refused (401/403): check the key or role',
          }
        : { ok: true };
      return { ok: Object.values(checks).every((c) => c.ok), checks };
    }
    // Several resources: each is reported, but one that is down does not make the process
    // unready, since it still serves the others; only all of them down does.
    let down = 0;
    for (const r of resources) {
      const problem = resourceProblem(r.health);
      checks[`resource:${r.name}`] = problem ? { ok: false, detail: problem } : { ok: true };
      if (problem) down++;
    }
    return { ok: checks.redis.ok && down < resources.length, checks };
  };

  const server: Server = createHttpServer({
    ...(slackEvents ? { slackEvents } : {}),
    ...(webhooks ? { webhooks } : {}),
    readiness,
    metrics: () => metrics.render(),
    ...(opts.fallback ? { fallback: opts.fallback } : {}),
  });
  let port: number;
  try {
    port = await listen(server, opts.port ?? config.port, opts.host);
  } catch (err) {
    // A taken port must not leave the poller and its connections running.
    for (const stop of stops) await stop().catch(() => {});
    throw err;
  }
  stops.unshift(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  logger.info({ port, config: describeConfig(config) }, 'ftops started');

  let stopped = false;
  const reload = async (load: () => Config): Promise<ReloadResult> => {
    const loaded = tryLoad(load);
    const result = loaded.ok ? planReload(s.live.config, loaded.config) : loaded;
    if (!result.ok || !loaded.ok) {
      logger.warn(
        { problems: result.ok ? [] : result.problems },
        'FT_CONFIG was not reloaded; the running configuration stays',
      );
      return result;
    }
    const next = loaded.config;
    const previous = s.live.config;
    s.resources.applyReload(next.resources, s.webClient);
    s.live.config = next;
    for (const r of next.resources) {
      const old = previous.resources.find((p) => p.name === r.name);
      if (poller && old && old.pollIntervalSeconds !== r.pollIntervalSeconds)
        await poller
          .reschedule(r.name, r.pollIntervalSeconds)
          .catch((err: unknown) =>
            logger.warn(
              { err: errorText(err), resource: r.name },
              'could not move the sweep schedule',
            ),
          );
    }
    logger.info({ changed: result.changed }, 'FT_CONFIG reloaded');
    return result;
  };
  return {
    port,
    reload,
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    api,
    ...(poller ? { poller } : {}),
    approvals,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const stop of stops) {
        try {
          await stop();
        } catch (err) {
          logger.warn({ err: errorText(err) }, 'error while stopping');
        }
      }
    },
  };
}

/** Why a resource counts as down, in words for /readyz; undefined when it is not. */
function resourceProblem(h: ResourceHealth): string | undefined {
  if (h.authFailing) return 'the last call was refused (401/403): check the key or role';
  if (h.failuresInARow >= DOWN_AFTER_FAILURES)
    return `the last ${h.failuresInARow} calls did not answer or failed (${h.lastStatus ? `HTTP ${h.lastStatus}` : 'no answer'})`;
  return undefined;
}
