import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createFineTuningClient } from '../../src/api/client.ts';
import {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  FineTuningError,
  InternalServerError,
  InvalidResponseError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from '../../src/api/errors.ts';
import { noDelayRetryPolicy } from '../../src/api/retry.ts';
import type { ClientOptions, FineTuningClient, RequestInfo } from '../../src/api/types.ts';
import { type LocalServer, sendJson, startLocalServer } from './helpers/local-server.ts';

/**
 * Client behaviour the emulator cannot produce on demand: exact retry headers, broken bodies,
 * hanging answers, the auth headers and query as sent. All over real HTTP on 127.0.0.1.
 */

const KEY = 'azure-secret-key-0123456789';
const TOKEN = 'sk-openai-secret-token-abcdef';

let server: LocalServer | undefined;
let client: FineTuningClient | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

type Handler = (res: ServerResponse, n: number, url: string, method: string) => void;

async function setup(handler: Handler, opts: Partial<ClientOptions> = {}) {
  server = await startLocalServer((req, res, n) =>
    handler(res, n, req.url ?? '', req.method ?? ''),
  );
  client = createFineTuningClient({
    baseUrl: `${server.url}/openai/v1/`,
    auth: { type: 'api-key', key: KEY },
    retryPolicy: noDelayRetryPolicy,
    ...opts,
  });
  return { server, client };
}

const job = (id = 'ftjob-abc', status = 'running') => ({ object: 'fine_tuning.job', id, status });
const caught = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as FineTuningError,
  );

describe('requests as sent', () => {
  it('sends api-version only when configured', async () => {
    const a = await setup((res) => sendJson(res, 200, job()));
    await a.client.getJob('ftjob-abc');
    expect(a.server.requests[0]?.url).toBe('/openai/v1/fine_tuning/jobs/ftjob-abc');
    await a.client.close();
    await a.server.close();

    const b = await setup((res) => sendJson(res, 200, job()), { apiVersion: 'preview' });
    await b.client.getJob('ftjob-abc');
    expect(b.server.requests[0]?.url).toBe(
      '/openai/v1/fine_tuning/jobs/ftjob-abc?api-version=preview',
    );
  });

  it('sends list paging and the OpenAI metadata[k]=v filter', async () => {
    const { client, server } = await setup((res) =>
      sendJson(res, 200, { object: 'list', data: [], has_more: false }),
    );
    await client.listJobs({
      after: 'ftjob-x',
      limit: 5,
      metadata: { team: 'nlp', 'cost center': 'a&b' },
    });
    const url = new URL(server.requests[0]?.url ?? '', 'http://x');
    expect(url.pathname).toBe('/openai/v1/fine_tuning/jobs');
    expect(url.searchParams.get('after')).toBe('ftjob-x');
    expect(url.searchParams.get('limit')).toBe('5');
    expect(url.searchParams.get('metadata[team]')).toBe('nlp');
    expect(url.searchParams.get('metadata[cost center]')).toBe('a&b');
  });

  it('uses POST for pause, resume and cancel and GET for the rest', async () => {
    const { client, server } = await setup((res, _n, url) =>
      url.includes('/events') || url.includes('/checkpoints')
        ? sendJson(res, 200, { object: 'list', data: [], has_more: false })
        : sendJson(res, 200, job()),
    );
    await client.pauseJob('ftjob-abc');
    await client.resumeJob('ftjob-abc');
    await client.cancelJob('ftjob-abc');
    await client.listEvents('ftjob-abc', { limit: 2 });
    await client.listCheckpoints('ftjob-abc', { after: 'ftckpt-1' });
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /openai/v1/fine_tuning/jobs/ftjob-abc/pause',
      'POST /openai/v1/fine_tuning/jobs/ftjob-abc/resume',
      'POST /openai/v1/fine_tuning/jobs/ftjob-abc/cancel',
      'GET /openai/v1/fine_tuning/jobs/ftjob-abc/events?limit=2',
      'GET /openai/v1/fine_tuning/jobs/ftjob-abc/checkpoints?after=ftckpt-1',
    ]);
  });

  it('reuses one keep-alive connection', async () => {
    const { client, server } = await setup((res) => sendJson(res, 200, job()));
    for (let i = 0; i < 5; i++) await client.getJob('ftjob-abc');
    expect(server.requests.every((r) => r.headers.connection !== 'close')).toBe(true);
  });
});

describe('retries', () => {
  it('honours retry-after-ms under the no-delay policy', async () => {
    const infos: RequestInfo[] = [];
    const { client, server } = await setup(
      (res, n) =>
        n <= 2
          ? sendJson(
              res,
              429,
              { error: { code: '429', message: 'slow down' } },
              { 'retry-after-ms': '150' },
            )
          : sendJson(res, 200, job()),
      { onRequest: (i) => infos.push(i) },
    );
    const got = await client.getJob('ftjob-abc');
    expect(got.status).toBe('running');
    expect(server.requests).toHaveLength(3);
    const [r1, r2, r3] = server.requests;
    expect(r2!.at - r1!.at).toBeGreaterThanOrEqual(150);
    expect(r3!.at - r2!.at).toBeGreaterThanOrEqual(150);
    expect(infos.map((i) => [i.attempt, i.status, i.method, i.path])).toEqual([
      [1, 429, 'GET', '/fine_tuning/jobs/ftjob-abc'],
      [2, 429, 'GET', '/fine_tuning/jobs/ftjob-abc'],
      [3, 200, 'GET', '/fine_tuning/jobs/ftjob-abc'],
    ]);
  });

  it('honours x-ms-retry-after-ms', async () => {
    const { client, server } = await setup((res, n) =>
      n === 1
        ? sendJson(res, 503, {}, { 'x-ms-retry-after-ms': '120' })
        : sendJson(res, 200, job()),
    );
    await client.getJob('ftjob-abc');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(120);
  });

  it('honours retry-after as an HTTP date', async () => {
    let waitUntil = 0;
    let sentAt = 0;
    let retriedAt = 0;
    const { client, server } = await setup((res, n) => {
      if (n > 1) {
        retriedAt = Date.now();
        return sendJson(res, 200, job());
      }
      sentAt = Date.now();
      // HTTP dates have whole seconds: pick the second after next so the hint is ≥ 1 s.
      waitUntil = (Math.floor(sentAt / 1000) + 2) * 1000;
      sendJson(res, 503, {}, { 'retry-after': new Date(waitUntil).toUTCString() });
    });
    await client.getJob('ftjob-abc');
    expect(server.requests).toHaveLength(2);
    // 2 ms of slack for Date.now()'s whole-millisecond rounding on both sides.
    expect(retriedAt).toBeGreaterThanOrEqual(waitUntil - 2);
    expect(waitUntil - sentAt).toBeGreaterThanOrEqual(1000);
  });

  it('gives up after maxRetries with a message for Slack', async () => {
    const { client, server } = await setup((res) =>
      sendJson(
        res,
        503,
        { error: { code: 'ServiceUnavailable', message: 'busy' } },
        { 'apim-request-id': 'apim-42' },
      ),
    );
    const err = await caught(client.listJobs());
    expect(err).toBeInstanceOf(InternalServerError);
    expect(err?.attempts).toBe(5);
    expect(err?.status).toBe(503);
    expect(err?.requestId).toBe('apim-42');
    expect(err?.message).toMatch(
      /the fine-tuning API is unavailable \(503\), tried 5 times, request ID apim-42/i,
    );
    expect(server.requests).toHaveLength(5);
  });

  it('respects a smaller maxRetries for 429', async () => {
    const { client, server } = await setup((res) => sendJson(res, 429, {}), { maxRetries: 1 });
    const err = await caught(client.getJob('ftjob-abc'));
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err?.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
  });

  it('retries 408 and a garbled success body', async () => {
    const { client, server } = await setup((res, n) => {
      if (n === 1) return sendJson(res, 408, {});
      if (n === 2) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"id": "ftjob-abc", "sta');
      }
      sendJson(res, 200, job());
    });
    expect((await client.getJob('ftjob-abc')).id).toBe('ftjob-abc');
    expect(server.requests).toHaveLength(3);
  });

  it.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
  ])('never retries %i', async (status, cls) => {
    const { client, server } = await setup((res) =>
      sendJson(res, status, { error: { message: 'no' } }),
    );
    const err = await caught(client.getJob('ftjob-abc'));
    expect(err).toBeInstanceOf(cls);
    expect(err?.attempts).toBe(1);
    expect(server.requests).toHaveLength(1);
  });
});

describe('error mapping', () => {
  it('404 names the job', async () => {
    const { client } = await setup((res) =>
      sendJson(
        res,
        404,
        { error: { code: 'NotFound', message: 'The specified job was not found.' } },
        { 'x-request-id': 'rid-1' },
      ),
    );
    const err = await caught(client.getJob('ftjob-abc'));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err?.message).toBe('ftjob-abc was not found');
    expect(err?.requestId).toBe('rid-1');
    expect(err?.code).toBe('NotFound');
  });

  it('400 on pause leads with the job and keeps the service message', async () => {
    const { client, server } = await setup((res) =>
      sendJson(res, 400, {
        error: {
          code: 'invalidState',
          message: 'Job must be running to be paused.',
          param: null,
          type: 'invalid_request_error',
        },
      }),
    );
    const err = await caught(client.pauseJob('ftjob-abc'));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err?.message).toBe('ftjob-abc cannot be paused: Job must be running to be paused.');
    expect(err?.code).toBe('invalidState');
    // A first attempt's refusal is final: no re-read.
    expect(server.requests.map((r) => r.method)).toEqual(['POST']);
  });

  it('401 with a key tells the operator to check the key', async () => {
    const { client } = await setup((res) =>
      sendJson(res, 401, {
        error: { code: '401', message: 'Access denied due to invalid subscription key.' },
      }),
    );
    const err = await caught(client.listJobs());
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err?.message).toContain('AZURE_OPENAI_API_KEY');
    expect(err?.message).toContain('Access denied due to invalid subscription key.');
  });

  it('a success body that is not JSON is an InvalidResponseError saying so', async () => {
    const { client } = await setup(
      (res) => {
        res.writeHead(200, { 'content-type': 'text/html', 'x-request-id': 'r-html' });
        res.end('<html><body>Sign in</body></html>');
      },
      { maxRetries: 0 },
    );
    const err = await caught(client.getJob('ftjob-abc'));
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect(err?.message).toMatch(
      /could not understand when asked to read ftjob-abc: not JSON \(starts with "<html>/,
    );
    expect(err?.requestId).toBe('r-html');
  });

  it('a job without an id, or a list item without one, is an InvalidResponseError naming the field', async () => {
    const { client } = await setup(
      (res, _n, url) =>
        url.includes('/jobs?') || url.endsWith('/jobs')
          ? sendJson(res, 200, { object: 'list', data: [{ id: 'ftjob-1' }, { status: 'running' }] })
          : sendJson(res, 200, { status: 'running' }),
      { maxRetries: 1 },
    );
    const one = await caught(client.getJob('ftjob-abc'));
    expect(one).toBeInstanceOf(InvalidResponseError);
    expect(one?.message).toContain('no `id`');
    expect(one?.attempts).toBe(2);
    const list = await caught(client.listJobs());
    expect(list?.message).toContain('no `data.1.id`');
  });

  it('an empty or array body is reported, not crashed on', async () => {
    const { client } = await setup((res, n) => (n === 1 ? res.end() : sendJson(res, 200, [1, 2])), {
      maxRetries: 0,
    });
    expect((await caught(client.getJob('ftjob-abc')))?.message).toContain('an empty body');
    expect((await caught(client.getJob('ftjob-abc')))?.message).toContain('not a JSON object');
  });
});

describe('timeouts, connection errors and aborts', () => {
  it('an attempt that gets no answer times out and is retried', async () => {
    const { client, server } = await setup(() => {}, { timeoutMs: 100, maxRetries: 1 });
    const err = await caught(client.getJob('ftjob-abc'));
    expect(err).toBeInstanceOf(APITimeoutError);
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(err?.attempts).toBe(2);
    expect(err?.message).toMatch(
      /did not answer within 0.1 s when asked to read ftjob-abc, tried 2 times/,
    );
    expect(server.requests).toHaveLength(2);
  });

  it('a body that stalls half-way also times out', async () => {
    const { client } = await setup(
      (res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"id":"ftjob-abc",');
      },
      { timeoutMs: 100, maxRetries: 0 },
    );
    expect(await caught(client.getJob('ftjob-abc'))).toBeInstanceOf(APITimeoutError);
  });

  it('a refused connection is an APIConnectionError after retries', async () => {
    const dead = await startLocalServer(() => {});
    await dead.close();
    client = createFineTuningClient({
      baseUrl: `${dead.url}/v1`,
      auth: { type: 'bearer', token: TOKEN },
      retryPolicy: noDelayRetryPolicy,
      maxRetries: 2,
    });
    const err = await caught(client.listJobs());
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(err).not.toBeInstanceOf(APITimeoutError);
    expect(err?.attempts).toBe(3);
    expect(err?.message).toMatch(
      /could not reach the fine-tuning API at 127\.0\.0\.1:\d+ to list fine-tuning jobs \(ECONNREFUSED\), tried 3 times/,
    );
  });

  it('the caller’s abort stops a hanging request without retrying', async () => {
    const { client, server } = await setup(() => {});
    const ctl = new AbortController();
    const p = caught(client.getJob('ftjob-abc', { signal: ctl.signal }));
    await new Promise((r) => setTimeout(r, 30));
    ctl.abort();
    const err = await p;
    expect(err).toBeInstanceOf(APIUserAbortError);
    expect(server.requests).toHaveLength(1);
  });

  it('the caller’s abort also cuts a retry wait short', async () => {
    const { client, server } = await setup((res) =>
      sendJson(res, 503, {}, { 'retry-after-ms': '30000' }),
    );
    const ctl = new AbortController();
    const p = caught(client.listEvents('ftjob-abc', { signal: ctl.signal }));
    await new Promise((r) => setTimeout(r, 50));
    ctl.abort();
    expect(await p).toBeInstanceOf(APIUserAbortError);
    expect(server.requests).toHaveLength(1);
  });

  it('an already-aborted signal sends nothing', async () => {
    const { client, server } = await setup((res) => sendJson(res, 200, job()));
    const err = await caught(client.getJob('ftjob-abc', { signal: AbortSignal.abort() }));
    expect(err).toBeInstanceOf(APIUserAbortError);
    expect(server.requests).toHaveLength(0);
  });
});

describe('idempotent pause and resume', () => {
  it('a pause whose first answer was lost succeeds when the retry is refused and the job is paused', async () => {
    let status = 'running';
    const { client, server } = await setup((res, _n, url, method) => {
      if (method === 'POST' && url.endsWith('/pause')) {
        if (status === 'running') {
          status = 'paused'; // the server did the work, then its answer was lost
          return sendJson(res, 500, { error: { message: 'upstream reset' } });
        }
        return sendJson(res, 400, {
          error: { code: 'invalidJobState', message: 'Job is not running.' },
        });
      }
      sendJson(res, 200, job('ftjob-abc', status));
    });
    const got = await client.pauseJob('ftjob-abc');
    expect(got.status).toBe('paused');
    expect(
      server.requests.map(
        (r) => `${r.method} ${r.url.replace('/openai/v1/fine_tuning/jobs/', '')}`,
      ),
    ).toEqual(['POST ftjob-abc/pause', 'POST ftjob-abc/pause', 'GET ftjob-abc']);
  });

  it('a resume refused on retry succeeds when the job is already queued or running', async () => {
    let status = 'paused';
    const { client } = await setup((res, _n, url, method) => {
      if (method === 'POST') {
        if (status === 'paused') {
          status = 'queued';
          res.destroy(); // the connection drops after the work is done
          return;
        }
        return sendJson(res, 409, { error: { message: 'Job is not paused.' } });
      }
      sendJson(res, 200, job('ftjob-abc', status));
      void url;
    });
    expect((await client.resumeJob('ftjob-abc')).status).toBe('queued');
  });

  it('a retry refused while the job is in another state is still an error', async () => {
    const { client } = await setup((res, n, _url, method) => {
      if (method === 'POST') {
        return n === 1
          ? sendJson(res, 503, {})
          : sendJson(res, 400, { error: { message: 'Job has already succeeded.' } });
      }
      sendJson(res, 200, job('ftjob-abc', 'succeeded'));
    });
    const err = await caught(client.pauseJob('ftjob-abc'));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err?.message).toBe('ftjob-abc cannot be paused: Job has already succeeded.');
    expect(err?.attempts).toBe(2);
  });
});

describe('secrets', () => {
  const echo: Handler = (res, n) => {
    const body = {
      error: { code: KEY, message: `bad key ${KEY} / Bearer ${TOKEN}`, param: TOKEN },
    };
    if (n % 4 === 1) return sendJson(res, 401, body);
    if (n % 4 === 2) return sendJson(res, 500, body);
    if (n % 4 === 3) {
      res.writeHead(200);
      return res.end(`<p>${KEY} ${TOKEN}</p>`);
    }
    sendJson(res, 200, { status: KEY, data: TOKEN });
  };

  const leaks = (err: unknown, secrets: string[] = [KEY, TOKEN]): string[] => {
    const seen: string[] = [];
    let e: unknown = err;
    for (let depth = 0; e && depth < 10; depth++) {
      const text = [
        String(e),
        JSON.stringify(e),
        inspect(e, { depth: 10 }),
        (e as Error).message,
      ].join('\n');
      for (const s of secrets) if (text.includes(s)) seen.push(`${(e as Error).name}: ${s}`);
      e = (e as Error).cause;
    }
    return seen;
  };

  it.each([
    ['api-key', { type: 'api-key', key: KEY }],
    ['bearer', { type: 'bearer', token: TOKEN }],
  ] as const)(
    'never show the %s value in any error, its JSON or its cause chain',
    async (_n, auth) => {
      const { client } = await setup(echo, { auth, maxRetries: 0 });
      for (let i = 0; i < 4; i++) {
        const err = await caught(client.getJob('ftjob-abc'));
        expect(err).toBeInstanceOf(FineTuningError);
        expect(leaks(err, [auth.type === 'api-key' ? auth.key : auth.token])).toEqual([]);
      }
    },
  );

  it('never shows the key in connection errors', async () => {
    const { client } = await setup(() => {}, { timeoutMs: 50, maxRetries: 0 });
    const timeout = await caught(client.getJob('ftjob-abc'));
    expect(leaks(timeout)).toEqual([]);
    const dead = await startLocalServer(() => {});
    await dead.close();
    const other = createFineTuningClient({
      baseUrl: dead.url,
      auth: { type: 'api-key', key: KEY },
      retryPolicy: noDelayRetryPolicy,
      maxRetries: 0,
    });
    const refused = await caught(other.getJob('ftjob-abc'));
    await other.close();
    expect(refused).toBeInstanceOf(APIConnectionError);
    expect(leaks(refused)).toEqual([]);
  });
});

describe('documented responses', () => {
  const dir = new URL('./fixtures/jobs/', import.meta.url);
  it.each([
    ['pause-response-openai-docs.json', 'pause', 'paused'],
    ['resume-response-azure-docs-placeholder.json', 'resume', 'validating_files'],
    ['job-succeeded-perl-client-docs.json', 'get', 'succeeded'],
  ] as const)('%s is read as the %s answer', async (name, action, status) => {
    const text = readFileSync(new URL(name, dir), 'utf8');
    const { client } = await setup((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(text);
    });
    const call =
      action === 'pause'
        ? client.pauseJob('ftjob-abc123')
        : action === 'resume'
          ? client.resumeJob('ftjob-abc123')
          : client.getJob('ftjob-abc123');
    const job = await call;
    expect(job.status).toBe(status);
    expect(job.id).toBe(JSON.parse(text).id);
  });
});
