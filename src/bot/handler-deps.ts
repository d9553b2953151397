import type { HandlerDeps } from '../handlers/deps.ts';
import { jobLinkFor } from '../views/job-link.ts';
import { splitJobKey } from '../vocabulary/index.ts';
import { createChartPoster } from './chart-poster.ts';
import { createMembership, createResourceLookup } from './resource-lookup.ts';
import type { Services } from './services.ts';
import { createServiceMetricsReader, createTrainingProgress } from './training-reader.ts';

/**
 * What the handlers work with, from the services: the same in the web role (which acks and
 * may answer) and in a worker answering what a web process handed it.
 */
export function buildHandlerDeps(s: Services): HandlerDeps {
  // One reader for the charts and the card's progress: the same series, the same cursor.
  const metrics = createServiceMetricsReader(s);
  return {
    api: s.api,
    resources: createResourceLookup(s.resources, s.statuses),
    // A getter: a reload of FT_CONFIG changes the rules for the next request.
    get access() {
      return s.live.config.access;
    },
    isAmong: createMembership(s.webClient),
    jobLink: (key: string) => {
      const split = splitJobKey(key);
      const resource = split && s.resources.get(split.resource);
      return resource && split ? jobLinkFor(resource.config.jobUrl, split.id) : undefined;
    },
    charts: createChartPoster(s, metrics),
    training: createTrainingProgress(s, metrics),
    approvals: s.approvals,
    roles: s.roles,
    subscriptions: s.subscriptions,
    statuses: s.statuses,
    audit: s.audit,
    approvalConfig: s.config.approval,
    logger: s.logger.child({ component: 'handlers' }),
    clock: s.clock,
    onCommand: (verb: string, outcome: 'ok' | 'user_error' | 'error') =>
      s.metrics.commandHandled(verb, outcome === 'user_error' ? 'invalid' : outcome),
  };
}
