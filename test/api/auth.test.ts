import { afterEach, describe, expect, it } from 'vitest';
import {
  createAuthProvider,
  createTokenCache,
  DEFAULT_ENTRA_SCOPE,
  TOKEN_REFRESH_MARGIN_MS,
} from '../../src/api/auth.ts';
import { createFineTuningClient } from '../../src/api/client.ts';
import { AuthenticationError, CredentialUnavailableError } from '../../src/api/errors.ts';
import { noDelayRetryPolicy } from '../../src/api/retry.ts';
import type { ClientOptions, FineTuningClient } from '../../src/api/types.ts';
import { CountingCredential } from './helpers/credentials.ts';
import { type LocalServer, sendJson, startLocalServer } from './helpers/local-server.ts';

const HOUR = 60 * 60_000;

describe('token cache (virtual clock)', () => {
  it('shares one in-flight token request among concurrent callers', async () => {
    const t = 1_000_000;
    const cred = new CountingCredential(HOUR, () => t);
    const cache = createTokenCache(cred, DEFAULT_ENTRA_SCOPE, () => t);
    const tokens = await Promise.all(Array.from({ length: 50 }, () => cache.getToken()));
    expect(new Set(tokens)).toEqual(new Set(['entra-token-1']));
    expect(cred.calls).toBe(1);
    expect(cred.scopes[0]).toBe('https://cognitiveservices.azure.com/.default');
  });

  it('reuses the token until 5 minutes before expiry, then refreshes once', async () => {
    let t = 1_000_000;
    const cred = new CountingCredential(HOUR, () => t);
    const cache = createTokenCache(cred, 'custom/.default', () => t);
    for (let i = 0; i < 20; i++) expect(await cache.getToken()).toBe('entra-token-1');
    t += HOUR - TOKEN_REFRESH_MARGIN_MS - 1;
    expect(await cache.getToken()).toBe('entra-token-1');
    t += 2;
    const refreshed = await Promise.all([cache.getToken(), cache.getToken(), cache.getToken()]);
    expect(refreshed).toEqual(['entra-token-2', 'entra-token-2', 'entra-token-2']);
    expect(cred.calls).toBe(2);
    expect(cred.scopes).toEqual(['custom/.default', 'custom/.default']);
  });

  it('honours refreshAfterTimestamp when the credential gives one', async () => {
    let t = 0;
    let n = 0;
    const cache = createTokenCache(
      {
        getToken: async () => ({
          token: `t${++n}`,
          expiresOnTimestamp: t + HOUR,
          refreshAfterTimestamp: t + 10 * 60_000,
        }),
      },
      DEFAULT_ENTRA_SCOPE,
      () => t,
    );
    expect(await cache.getToken()).toBe('t1');
    t += 10 * 60_000;
    expect(await cache.getToken()).toBe('t2');
  });

  it('keeps using a still-valid token when its refresh fails, then reports the failure', async () => {
    let t = 0;
    const cred = new CountingCredential(HOUR, () => t);
    const cache = createTokenCache(cred, DEFAULT_ENTRA_SCOPE, () => t);
    await cache.getToken();
    cred.failWith = new Error('ManagedIdentityCredential: IMDS unreachable\nstack details');
    t += HOUR - 60_000;
    expect(await cache.getToken()).toBe('entra-token-1');
    t += 60_000;
    const err = await cache.getToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CredentialUnavailableError);
    expect((err as Error).message).toContain('IMDS unreachable');
    expect((err as Error).message).not.toContain('stack details');
  });

  it('fetches anew after invalidate', async () => {
    const cred = new CountingCredential(HOUR);
    const cache = createTokenCache(cred, DEFAULT_ENTRA_SCOPE);
    await cache.getToken();
    cache.invalidate();
    expect(await cache.getToken()).toBe('entra-token-2');
  });

  it('key and bearer providers send the right header', async () => {
    expect(await createAuthProvider({ type: 'api-key', key: 'k1' }).headers()).toEqual({
      'api-key': 'k1',
    });
    expect(await createAuthProvider({ type: 'bearer', token: 'sk-1' }).headers()).toEqual({
      authorization: 'Bearer sk-1',
    });
  });
});

describe('auth over HTTP', () => {
  let server: LocalServer;
  let client: FineTuningClient | undefined;
  let status = 200;

  const start = async (opts: Omit<ClientOptions, 'baseUrl'>) => {
    server = await startLocalServer((_req, res) =>
      status === 200
        ? sendJson(res, 200, { id: 'ftjob-abc', status: 'running' })
        : sendJson(res, status, {
            error: { code: 'PermissionDenied', message: 'Principal does not have access' },
          }),
    );
    client = createFineTuningClient({
      baseUrl: `${server.url}/openai/v1`,
      retryPolicy: noDelayRetryPolicy,
      ...opts,
    });
    return client;
  };

  afterEach(async () => {
    await client?.close();
    await server.close();
    status = 200;
  });

  it('api-key sends the Azure api-key header and no Authorization', async () => {
    const c = await start({ auth: { type: 'api-key', key: 'azure-key-1' } });
    await c.getJob('ftjob-abc');
    expect(server.requests[0]?.headers['api-key']).toBe('azure-key-1');
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('bearer sends Authorization: Bearer and no api-key', async () => {
    const c = await start({ auth: { type: 'bearer', token: 'sk-openai-1' } });
    await c.getJob('ftjob-abc');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-openai-1');
    expect(server.requests[0]?.headers['api-key']).toBeUndefined();
  });

  it('entra reuses one token across many calls, concurrent or not', async () => {
    const cred = new CountingCredential(HOUR);
    const c = await start({ auth: { type: 'entra', credential: cred } });
    await Promise.all(Array.from({ length: 20 }, () => c.getJob('ftjob-abc')));
    for (let i = 0; i < 10; i++) await c.getJob('ftjob-abc');
    expect(cred.calls).toBe(1);
    expect(server.requests).toHaveLength(30);
    expect(new Set(server.requests.map((r) => r.headers.authorization))).toEqual(
      new Set(['Bearer entra-token-1']),
    );
    expect(cred.scopes).toEqual([DEFAULT_ENTRA_SCOPE]);
  });

  it('entra passes an overridden scope', async () => {
    const cred = new CountingCredential(HOUR);
    const c = await start({
      auth: { type: 'entra', credential: cred, scope: 'https://ai.azure.com/.default' },
    });
    await c.getJob('ftjob-abc');
    expect(cred.scopes).toEqual(['https://ai.azure.com/.default']);
  });

  it('entra refreshes a token that is inside the refresh margin', async () => {
    // Tokens that live 2 minutes are always "near expiry": each call must get a new one.
    const cred = new CountingCredential(2 * 60_000);
    const c = await start({ auth: { type: 'entra', credential: cred } });
    await c.getJob('ftjob-abc');
    await c.getJob('ftjob-abc');
    expect(cred.calls).toBe(2);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer entra-token-1',
      'Bearer entra-token-2',
    ]);
  });

  it('entra 403 names the role to grant and never shows the token', async () => {
    status = 403;
    const cred = new CountingCredential(HOUR);
    const c = await start({ auth: { type: 'entra', credential: cred } });
    const err = await c.pauseJob('ftjob-abc').catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/lacks access to pause ftjob-abc/);
    expect((err as Error).message).toContain('"Cognitive Services OpenAI Contributor" role');
    expect(JSON.stringify(err)).not.toContain('entra-token');
    expect(server.requests).toHaveLength(1);
  });

  it('entra 401 drops the cached token so the next call gets a new one', async () => {
    status = 401;
    const cred = new CountingCredential(HOUR);
    const c = await start({ auth: { type: 'entra', credential: cred } });
    await expect(c.getJob('ftjob-abc')).rejects.toBeInstanceOf(AuthenticationError);
    status = 200;
    await c.getJob('ftjob-abc');
    expect(cred.calls).toBe(2);
    expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer entra-token-2');
  });

  it('a credential that cannot give a token fails without any request', async () => {
    const cred = new CountingCredential(HOUR);
    cred.failWith = new Error('DefaultAzureCredential failed to retrieve a token');
    const c = await start({ auth: { type: 'entra', credential: cred } });
    const err = await c.listJobs().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CredentialUnavailableError);
    expect((err as Error).message).toMatch(/could not get a Microsoft Entra ID token/);
    expect(server.requests).toHaveLength(0);
  });
});
