import type { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Keys } from '../store/keys.ts';
import type { Subscriptions } from '../store/subscriptions.ts';
import type { MessageView } from '../views/types.ts';
import type { SweepReport } from './sweeper.ts';

/** How a notice about a resource is worded; views/resource-notice.ts in production. */
export type ResourceNoticeView = (input: {
  resource: string;
  state: 'down' | 'back';
  jobs: number;
  detail?: string;
}) => MessageView;

/**
 * Tells the channels that watch a resource's jobs, once, when its sweeps stop reading anything
 * and once when they read again. "Once" holds across sweeps, workers and restarts: the down
 * state is one Redis key, set only by the first sweep that finds it down and removed only by
 * the first that finds it back.
 */
export class ResourceNotices {
  constructor(
    private readonly deps: {
      redis: Redis;
      keys: Keys;
      slack: Pick<WebClient, 'chat'>;
      subscriptions: Subscriptions;
      mayHear: (channel: string, jobId: string) => boolean;
      view: ResourceNoticeView;
      logger?: Pick<Logger, 'warn'>;
    },
  ) {}

  /** After a sweep of `resource`: a notice when it just went down or just came back. */
  async afterSweep(resource: string, report: SweepReport): Promise<void> {
    const read = report.pages + report.singleReads;
    const key = this.deps.keys.resourceDown(resource);
    if (read === 0 && report.unread.length > 0) {
      // NX: only the first sweep to find it down tells anyone.
      const set = await this.deps.redis.set(
        key,
        JSON.stringify(report.unread),
        'EX',
        30 * 86_400,
        'NX',
      );
      if (set === 'OK') await this.tell(resource, 'down', report.unread);
    } else if (read > 0) {
      const was = await this.deps.redis.getdel(key);
      if (was !== null) await this.tell(resource, 'back', parseJobs(was));
    }
  }

  private async tell(resource: string, state: 'down' | 'back', jobs: readonly string[]) {
    const perChannel = new Map<string, number>();
    for (const job of jobs) {
      for (const w of await this.deps.subscriptions.watchersOf(job)) {
        if (this.deps.mayHear(w.channel, job))
          perChannel.set(w.channel, (perChannel.get(w.channel) ?? 0) + 1);
      }
    }
    for (const [channel, count] of perChannel) {
      const view = this.deps.view({ resource, state, jobs: count });
      await this.deps.slack.chat
        .postMessage({ channel, text: view.text, blocks: view.blocks as never[] })
        .catch((err: unknown) =>
          this.deps.logger?.warn({ err, channel, resource }, 'could not post a resource notice'),
        );
    }
  }
}

function parseJobs(raw: string): string[] {
  try {
    const v = JSON.parse(raw) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
