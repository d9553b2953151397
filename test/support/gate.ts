import { randomUUID } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { createFineTuningClient, noDelayRetryPolicy } from '../../src/api/index.ts';
import type { FineTuningClient } from '../../src/api/types.ts';
import {
  type FineTuningEmulator,
  startFineTuningEmulator,
} from '../../src/emulators/fine-tuning/index.ts';
import { type SlackEmulator, startSlackEmulator } from '../../src/emulators/slack/index.ts';
import type { ApprovalViews } from '../../src/handlers/approval/index.ts';
import type { ApprovalState } from '../../src/store/approvals.ts';
import { createKeys, type Keys } from '../../src/store/keys.ts';
import { createRedis, deleteNamespace } from '../../src/store/redis.ts';
import { EMPTY, escapeInline, md, userMention } from '../../src/views/mrkdwn.ts';
import { TEST_REDIS } from './redis.ts';

/**
 * A stand-in for the views module's approval message: enough structure to see the state and
 * whether the buttons are still there (while the request is in one of `live`).
 */
export function fakeApprovalViews(live: readonly ApprovalState[] = ['pending']): ApprovalViews {
  return {
    renderRequest(request, job) {
      const status = job ? ` (job ${job.status})` : '';
      const outcome = request.outcome ? `: ${request.outcome}` : '';
      const by = request.decidedBy ? md` by ${userMention(request.decidedBy)}` : EMPTY;
      const text = md`${escapeInline(`${request.action} ${request.jobId} asked by`)} ${userMention(request.requester)}: ${escapeInline(request.state)}${by}${escapeInline(`${outcome}${status}`)}`;
      const blocks: NonNullable<ReturnType<ApprovalViews['renderRequest']>['blocks']> = [
        { type: 'section', text: { type: 'mrkdwn', text } },
      ];
      if (live.includes(request.state)) {
        const button = (label: string, vote: string) => ({
          type: 'button' as const,
          action_id: `ftops.approval.${vote}`,
          text: { type: 'plain_text' as const, text: label },
          value: request.id,
        });
        blocks.push({
          type: 'actions',
          elements: [button('Approve', 'approve'), button('Deny', 'deny')],
        });
      }
      return { text, blocks };
    },
  };
}

/** What the gate's suites share: both emulators over HTTP, clients for them, the real Redis. */
export interface GateTestbed {
  slackEmu: SlackEmulator;
  ftEmu: FineTuningEmulator;
  api: FineTuningClient;
  slack: WebClient;
  redis: Redis;
  /** More Redis connections a test opened; closed after the suite. */
  extraClients: Redis[];
  /** A fresh namespace, deleted after the suite so no test leaves keys behind. */
  freshKeys(): Keys;
}

/** Starts the testbed before the suite and tears it down, namespaces included, after it. */
export function useGateTestbed(): GateTestbed {
  const namespaces: string[] = [];
  const bed = {
    extraClients: [] as Redis[],
    freshKeys() {
      const keys = createKeys(`test-${randomUUID()}`);
      namespaces.push(keys.bullPrefix);
      return keys;
    },
  } as GateTestbed;
  beforeAll(async () => {
    [bed.slackEmu, bed.ftEmu] = await Promise.all([
      startSlackEmulator(),
      startFineTuningEmulator(),
    ]);
    bed.api = createFineTuningClient({
      baseUrl: bed.ftEmu.azureBaseUrl,
      auth: { type: 'api-key', key: 'test-key' },
      retryPolicy: noDelayRetryPolicy,
      maxRetries: 0,
    });
    bed.slack = new WebClient(bed.slackEmu.botToken, {
      slackApiUrl: bed.slackEmu.apiUrl,
      retryConfig: { retries: 0 },
    });
    bed.redis = createRedis(TEST_REDIS);
    await bed.redis.ping();
  });
  afterAll(async () => {
    for (const prefix of namespaces) await deleteNamespace(bed.redis, prefix);
    await Promise.all([...bed.extraClients, bed.redis].map((c) => c.quit()));
    await bed.api.close();
    await Promise.all([bed.slackEmu.close(), bed.ftEmu.close()]);
  });
  return bed;
}
