import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noDelayRetryPolicy } from '../../src/api/retry.ts';
import type { ResourceConfig } from '../../src/bot/config/index.ts';
import { createResourceLookup } from '../../src/bot/resource-lookup.ts';
import { ResourceSet } from '../../src/bot/resource-set.ts';
import {
  type FineTuningEmulator,
  startFineTuningEmulator,
} from '../../src/emulators/fine-tuning/index.ts';
import { createJobStatusStore } from '../../src/store/job-status.ts';
import { openTestRedis, type TestRedis } from '../support/redis.ts';

/**
 * The fan-out of a command over several resources, against two emulators over HTTP: one
 * answers, one accepts the connection and never answers. The command is answered at the
 * deadline with what the healthy one said, not after the client's own (long) timeout.
 */
describe('asking several resources at once', () => {
  let healthy: FineTuningEmulator;
  let hanging: FineTuningEmulator;
  let set: ResourceSet;
  let t: TestRedis;

  beforeAll(async () => {
    [healthy, hanging] = await Promise.all([startFineTuningEmulator(), startFineTuningEmulator()]);
    hanging.setFaults({ rate: 1, kinds: ['timeout'] });
    t = openTestRedis();
    const resource = (name: string, url: string): ResourceConfig => ({
      name,
      kind: 'azure',
      baseUrl: `${url}/openai/v1`,
      auth: { type: 'api-key', key: 'test-key' },
      pollIntervalSeconds: 60,
      approval: {
        approvers: { users: [], groups: [] },
        gatedActions: [],
        approvalsRequired: 1,
        selfService: false,
        ttlMinutes: 60,
      },
    });
    set = new ResourceSet({
      resources: [resource('healthy', healthy.url), resource('hanging', hanging.url)],
      slack: new WebClient('xoxb-unused'),
      retryPolicy: noDelayRetryPolicy,
      // Far longer than the deadline: the answer must not wait for it.
      timeoutMs: 20_000,
    });
  });
  afterAll(async () => {
    // Emulators first: closing one destroys its hanging sockets, so the client has nothing left.
    await Promise.all([healthy?.close(), hanging?.close()]);
    await set?.close();
    await t?.cleanup();
  });

  it('lists what answered by the deadline and names the resource that did not', async () => {
    healthy.addJob({ id: 'ftjob-answered', status: 'running' });
    const lookup = createResourceLookup(set, createJobStatusStore(t.redis, t.keys), 300);
    const page = await lookup.list(['healthy', 'hanging'], 10);
    expect(page.jobs.map((j) => j.id)).toEqual(['healthy:ftjob-answered']);
    expect(page.failed).toEqual([
      expect.objectContaining({ resource: 'hanging', message: 'no answer within 0.3 s' }),
    ]);
  });

  it('finds a bare ID on the resource that answered, without waiting for the silent one', async () => {
    healthy.addJob({ id: 'ftjob-findme', status: 'running' });
    const lookup = createResourceLookup(set, createJobStatusStore(t.redis, t.keys), 300);
    const found = await lookup.find(['healthy', 'hanging'], 'ftjob-findme');
    expect(found.keys).toEqual(['healthy:ftjob-findme']);
    expect(found.failed.map((f) => f.resource)).toEqual(['hanging']);
  });
});
