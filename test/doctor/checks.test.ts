import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judgeEvictionPolicy, redisLocation } from '../../src/doctor/redis-checks.ts';
import { formatResult } from '../../src/doctor/run.ts';
import { botScopesOf, missingScopes, requiredBotScopes } from '../../src/doctor/scopes.ts';
import { checkBotScopes } from '../../src/doctor/slack-checks.ts';
import { SLACK_WORKSPACE } from '../../src/emulators/slack/index.ts';

// The Slack emulator grants every bot token the same scopes, so a token that lacks some is
// tested here, through the comparison the doctor runs on auth.test's x-oauth-scopes header.
describe('bot scopes', () => {
  it('reads the scopes manifest.yml asks for', async () => {
    const required = await requiredBotScopes();
    expect(required).toEqual([
      'commands',
      'chat:write',
      'chat:write.public',
      'usergroups:read',
      'users:read',
      'files:write',
    ]);
    expect(missingScopes(SLACK_WORKSPACE.botScopes, required)).toEqual([]);
  });

  it('names the scopes a token lacks and says to reinstall the app', async () => {
    const required = await requiredBotScopes();
    const [line, fix] = formatResult(checkBotScopes(['commands', 'chat:write'], required));

    expect(line).toBe(
      '✗ Slack bot scopes: the token lacks chat:write.public, usergroups:read, users:read, files:write',
    );
    expect(fix).toContain('reinstall the app');
  });

  it('warns when Slack sent no scopes to compare', () => {
    const [line] = formatResult(checkBotScopes(undefined, ['commands']));
    expect(line).toMatch(/^⚠ Slack bot scopes: could not be verified/);
  });

  it('reports exactly the required scopes not granted', () => {
    const scope = fc.constantFrom<string>('a', 'b', 'c:read', 'd:write', 'e.public', 'f');
    fc.assert(
      fc.property(fc.array(scope), fc.uniqueArray(scope), (granted, required) => {
        const missing = missingScopes(granted, required);
        expect(missing.every((s) => required.includes(s) && !granted.includes(s))).toBe(true);
        expect(required.every((s) => granted.includes(s) || missing.includes(s))).toBe(true);
      }),
    );
  });

  it('refuses a manifest without bot scopes', () => {
    expect(() => botScopesOf('oauth_config:\n  scopes:\n    user: [a]\n')).toThrow(
      /oauth_config\.scopes\.bot/,
    );
    expect(() => botScopesOf('')).toThrow(/oauth_config\.scopes\.bot/);
  });
});

describe('Redis eviction policy', () => {
  it('passes only noeviction', () => {
    expect(formatResult(judgeEvictionPolicy('noeviction'))).toEqual([
      '✓ Redis eviction policy: maxmemory-policy is noeviction',
    ]);
    const [line, fix] = formatResult(judgeEvictionPolicy('allkeys-lru'));
    expect(line).toBe(
      "✗ Redis eviction policy: maxmemory-policy is allkeys-lru, so Redis may evict ftops' keys",
    );
    expect(fix).toContain('noeviction');
  });

  it('prints a Redis URL without its credentials', () => {
    expect(redisLocation('rediss://user:s3cret@cache.example.com:6380/2')).toBe(
      'rediss://cache.example.com:6380/2',
    );
    expect(redisLocation('redis://:s3cret@10.0.0.5:6379')).toBe('redis://10.0.0.5:6379');
  });
});
