import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';

/** A TokenCredential for tests: counts calls, records scopes, hands out numbered tokens. */
export class CountingCredential implements TokenCredential {
  calls = 0;
  scopes: Array<string | string[]> = [];
  failWith: Error | undefined;

  constructor(
    /** Lifetime of each token, from the moment it is issued. */
    private readonly lifetimeMs: number,
    private readonly now: () => number = Date.now,
    /** Delay before the token comes back, so concurrent callers overlap. */
    private readonly latencyMs = 5,
  ) {}

  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    this.calls++;
    this.scopes.push(scopes);
    await new Promise((r) => setTimeout(r, this.latencyMs));
    if (this.failWith) throw this.failWith;
    return { token: `entra-token-${this.calls}`, expiresOnTimestamp: this.now() + this.lifetimeMs };
  }
}
