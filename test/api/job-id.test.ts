import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFineTuningClient } from '../../src/api/client.ts';
import { InvalidJobIdError } from '../../src/api/errors.ts';
import { isValidJobId, JOB_ID_PATTERN } from '../../src/api/job-id.ts';
import { encodePathSegment, path } from '../../src/api/path.ts';
import { noDelayRetryPolicy } from '../../src/api/retry.ts';
import type { FineTuningClient } from '../../src/api/types.ts';
import { type LocalServer, sendJson, startLocalServer } from './helpers/local-server.ts';

/** Strings built to look almost like job IDs, plus plain noise. */
const nearMiss = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.string().map((s) => `ftjob-${s}`),
  fc
    .tuple(
      fc.stringMatching(/^[A-Za-z0-9_-]{0,10}$/),
      fc.constantFrom('/', '..', '?', '#', '%2F', '%2e', ' ', '\n', 'ａ', 'é', '\u0000', '.'),
      fc.stringMatching(/^[A-Za-z0-9_-]{0,10}$/),
    )
    .map(([a, bad, b]) => `ftjob-${a}${bad}${b}`),
  fc.constantFrom(
    'ftjob-',
    'FTJOB-abc',
    ' ftjob-abc',
    'ftjob-abc ',
    'ftjob-abc\n',
    `ftjob-${'a'.repeat(123)}`,
    '../ftjob-abc',
    'ftjob-../..',
  ),
);

describe('job ID gate', () => {
  let server: LocalServer;
  let client: FineTuningClient;

  beforeAll(async () => {
    server = await startLocalServer((_req, res) =>
      sendJson(res, 200, { id: 'ftjob-ok', object: 'list', data: [] }),
    );
    client = createFineTuningClient({
      baseUrl: `${server.url}/openai/v1`,
      auth: { type: 'api-key', key: 'k-test' },
      retryPolicy: noDelayRetryPolicy,
      maxRetries: 0,
    });
  });

  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('no string outside the pattern ever produces a request', async () => {
    await fc.assert(
      fc.asyncProperty(
        nearMiss.filter((s) => !isValidJobId(s)),
        async (id) => {
          const calls = [
            client.getJob(id),
            client.pauseJob(id),
            client.resumeJob(id),
            client.cancelJob(id),
            client.listEvents(id),
            client.listCheckpoints(id),
          ];
          for (const call of calls) await expect(call).rejects.toBeInstanceOf(InvalidJobIdError);
        },
      ),
      { numRuns: 300 },
    );
    expect(server.requests).toHaveLength(0);
  });

  it('a valid id reaches the server as exactly one path segment', async () => {
    const ids = fc.sample(fc.stringMatching(/^ftjob-[A-Za-z0-9_-]{1,40}$/), 20);
    for (const id of ids) {
      expect(isValidJobId(id)).toBe(true);
      await client.getJob(id);
      expect(server.requests.at(-1)?.url).toBe(`/openai/v1/fine_tuning/jobs/${id}`);
    }
  });

  it('the rejection tells the user what a job ID looks like', async () => {
    const err = await client.pauseJob('ftjob-../../admin').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidJobIdError);
    expect((err as Error).message).toContain('is not a fine-tuning job ID');
  });
});

describe('path helper', () => {
  it('encodes any value into one segment that decodes back', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1 }).filter((s) => s !== '.' && s !== '..'),
        (s) => {
          const seg = encodePathSegment(s);
          return !/[/?#]/.test(seg) && decodeURIComponent(seg) === s;
        },
      ),
    );
  });

  it('refuses empty, . and .. segments', () => {
    for (const bad of ['', '.', '..']) expect(() => path`/jobs/${bad}`).toThrow(TypeError);
    expect(path`/jobs/${'a b'}/x`).toBe('/jobs/a%20b/x');
  });

  it('the pattern and the gate agree', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 140 }), (s) =>
        isValidJobId(s) ? JOB_ID_PATTERN.test(s) && s.length <= 128 : true,
      ),
    );
  });
});
