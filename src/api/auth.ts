import type { AccessToken, TokenCredential } from '@azure/identity';
import { errorText } from '../util/error-text.ts';
import { CredentialUnavailableError } from './errors.ts';
import type { ClientAuth } from './types.ts';

/**
 * Turns `ClientAuth` into request headers. Keys go out as they are; Microsoft Entra ID tokens
 * are cached, refreshed ahead of expiry and fetched by one request however many calls wait.
 */

/** The scope Azure OpenAI / AI Foundry tokens are issued for. */
export const DEFAULT_ENTRA_SCOPE = 'https://cognitiveservices.azure.com/.default';

/** A token is replaced this long before it expires. */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

/** Gives the auth headers for one attempt and the secrets that must never be shown. */
export interface AuthProvider {
  readonly type: ClientAuth['type'];
  headers(signal?: AbortSignal): Promise<Record<string, string>>;
  /** Every key or token handed out so far that may still be valid. */
  secrets(): string[];
  /** Forget a cached token (after a 401), so the next call fetches a new one. */
  invalidate(): void;
}

/** Caches one Entra ID token and shares the in-flight request among concurrent callers. */
export interface TokenCache {
  getToken(signal?: AbortSignal): Promise<string>;
  invalidate(): void;
  /** Tokens handed out, for redaction. */
  issued(): string[];
}

/** A token cache over `credential` for `scope`; `now` is injectable for tests. */
export function createTokenCache(
  credential: TokenCredential,
  scope: string,
  now: () => number = Date.now,
): TokenCache {
  let cached: AccessToken | undefined;
  let inFlight: Promise<AccessToken> | undefined;
  const issued: string[] = [];

  const fresh = (t: AccessToken) => {
    const refreshAt = t.refreshAfterTimestamp ?? t.expiresOnTimestamp - TOKEN_REFRESH_MARGIN_MS;
    return now() < refreshAt;
  };
  const usable = (t: AccessToken) => now() < t.expiresOnTimestamp;

  const fetchToken = (): Promise<AccessToken> => {
    if (!inFlight) {
      inFlight = (async () => {
        let token: AccessToken | null;
        try {
          token = await credential.getToken(scope);
        } catch (err) {
          const detail = errorText(err);
          throw new CredentialUnavailableError(detail || 'the credential failed', err);
        }
        if (!token?.token) throw new CredentialUnavailableError('the credential returned no token');
        cached = token;
        issued.push(token.token);
        if (issued.length > 8) issued.shift();
        return token;
      })().finally(() => {
        inFlight = undefined;
      });
    }
    return inFlight;
  };

  return {
    async getToken(signal) {
      signal?.throwIfAborted();
      const current = cached;
      if (current && fresh(current)) return current.token;
      try {
        return (await fetchToken()).token;
      } catch (err) {
        // Refresh failed but the old token has not expired yet: keep working with it.
        if (current && usable(current)) return current.token;
        throw err;
      }
    },
    invalidate() {
      cached = undefined;
    },
    issued: () => [...issued],
  };
}

/** `DefaultAzureCredential`, loaded on first use: @azure/identity is heavy and key users never need it. */
function lazyDefaultCredential(managedIdentityClientId?: string): TokenCredential {
  let credential: Promise<TokenCredential> | undefined;
  return {
    async getToken(scopes, options) {
      credential ??= import('@azure/identity').then(
        (m) =>
          new m.DefaultAzureCredential(managedIdentityClientId ? { managedIdentityClientId } : {}),
      );
      return (await credential).getToken(scopes, options);
    },
  };
}

/** Builds the auth header provider for `auth`; `now` is injectable for tests. */
export function createAuthProvider(auth: ClientAuth, now: () => number = Date.now): AuthProvider {
  switch (auth.type) {
    case 'api-key':
      return {
        type: auth.type,
        headers: async () => ({ 'api-key': auth.key }),
        secrets: () => [auth.key],
        invalidate: () => {},
      };
    case 'bearer':
      return {
        type: auth.type,
        headers: async () => ({ authorization: `Bearer ${auth.token}` }),
        secrets: () => [auth.token],
        invalidate: () => {},
      };
    case 'entra': {
      const credential = auth.credential ?? lazyDefaultCredential(auth.managedIdentityClientId);
      const cache = createTokenCache(credential, auth.scope ?? DEFAULT_ENTRA_SCOPE, now);
      return {
        type: auth.type,
        headers: async (signal) => ({ authorization: `Bearer ${await cache.getToken(signal)}` }),
        secrets: () => cache.issued(),
        invalidate: () => cache.invalidate(),
      };
    }
  }
}
