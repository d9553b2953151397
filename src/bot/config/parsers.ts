import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { isMutatingVerb, MUTATING_VERBS, type MutatingVerb } from '../../vocabulary/index.ts';

/** Pure parsers of single variables: each returns the value or a problem in words. */

const LOOKS_SECRET = /xox[a-z]-|xapp-|\bsk-|:\/\/[^/\s]*:[^/\s]*@/i;

/** How a bad (non-secret) value is quoted back: JSON-escaped, cut short, credentials hidden. */
export function shown(value: unknown): string {
  if (typeof value !== 'string') return `a ${typeof value}`;
  if (LOOKS_SECRET.test(value)) return 'a value that looks like a credential (not shown)';
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}…` : value);
}

/** A transform step that either returns the parsed value or a problem message. */
type Parse<T> = (value: string) => T | { problem: string };

/** A string variable parsed by `parse`; its problem becomes a zod issue on that variable. */
export function variable<T>(parse: Parse<T>, missing?: string) {
  return z
    .string({
      error: (iss) => (iss.input === undefined && missing ? missing : 'expected a string'),
    })
    .transform((value, ctx): T => {
      const result = parse(value);
      if (typeof result === 'object' && result !== null && 'problem' in result) {
        ctx.addIssue({ code: 'custom', message: result.problem });
        return z.NEVER;
      }
      return result as T;
    });
}

export function wholeNumber(min: number, max: number, what: string): Parse<number> {
  return (value) => {
    const n = /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
    return n >= min && n <= max
      ? n
      : { problem: `expected ${what} from ${min} to ${max}, got ${shown(value)}` };
  };
}

/** Dollars per million training tokens: a positive decimal number, below 1,000,000. */
export const pricePerMillion: Parse<number> = (value) => {
  const n = /^\d{1,7}(\.\d{1,6})?$/.test(value) ? Number(value) : Number.NaN;
  return n > 0 && n < 1_000_000
    ? n
    : {
        problem: `expected dollars per million training tokens, such as 3 or 0.8, got ${shown(value)}`,
      };
};

export function oneOf<const T extends readonly string[]>(
  values: T,
  label = values.join(', '),
): Parse<T[number]> {
  return (value) => {
    const lower = value.toLowerCase();
    return values.includes(lower)
      ? (lower as T[number])
      : { problem: `expected one of ${label}, got ${shown(value)}` };
  };
}

function httpUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

export const slackApiUrl: Parse<string> = (value) => {
  const url = httpUrl(value);
  if (!url) return { problem: `expected an http(s) URL, got ${shown(value)}` };
  // The Web API client joins method names onto this base, so it must end with a slash.
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
};

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Accepts the resource endpoint, with or without a trailing `/openai/v1`, and returns the API root. */
export const azureEndpoint: Parse<string> = (value) => {
  const url = httpUrl(value);
  const secure = url?.protocol === 'https:' || LOOPBACK_HOSTS.has(url?.hostname ?? '');
  if (!url || !secure || url.search || url.hash || url.username || url.password) {
    return {
      problem: `expected the resource endpoint as an https URL, e.g. https://myres.openai.azure.com (http only for localhost), got ${shown(value)}`,
    };
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/openai(\/v1)?$/i, '');
  return `${url.origin}${path}/openai/v1`;
};

export const apiRoot: Parse<string> = (value) => {
  const url = httpUrl(value);
  if (!url || url.search || url.hash)
    return { problem: `expected an http(s) URL, got ${shown(value)}` };
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
};

/** A job-page URL template: https, with `{job}` where the job ID goes. */
export const jobUrlTemplate: Parse<string> = (value) => {
  if (!value.includes('{job}'))
    return { problem: `expected an https URL with {job} in it, got ${shown(value)}` };
  try {
    const url = new URL(value.replaceAll('{job}', 'ftjob-abc'));
    if (url.protocol === 'https:' && !/[\s<>|]/.test(value)) return value;
  } catch {}
  return { problem: `expected an https URL with {job} in it, got ${shown(value)}` };
};

export const redisUrl: Parse<string> = (value) => {
  try {
    const url = new URL(value);
    if (url.protocol === 'redis:' || url.protocol === 'rediss:') return value;
  } catch {}
  // Not echoed: a Redis URL often carries a password.
  return { problem: 'is set but is not a redis:// or rediss:// URL (value not shown)' };
};

/** REDIS_URL: one URL, or (for a cluster) a comma list of seed nodes, all on one scheme. */
export const redisUrls: Parse<string[]> = (value) => {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const bad = entries.findIndex((entry) => typeof redisUrl(entry) !== 'string');
  if (entries.length === 0 || bad !== -1) {
    const which = entries.length > 1 ? ` (entry ${bad + 1})` : '';
    return {
      problem: `is set but is not a redis:// or rediss:// URL${which} (value not shown)`,
    };
  }
  if (new Set(entries.map((entry) => new URL(entry).protocol)).size > 1)
    return {
      problem: 'mixes redis:// and rediss:// seeds; use one scheme for all (value not shown)',
    };
  return entries;
};

/** A PEM file of CA certificates that this process can read. */
export const caFile: Parse<string> = (value) => {
  let text: string;
  try {
    text = readFileSync(value, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return {
      problem: `cannot read ${shown(value)}${typeof code === 'string' ? ` (${code})` : ''}`,
    };
  }
  return text.includes('-----BEGIN CERTIFICATE-----')
    ? value
    : { problem: `${shown(value)} holds no PEM certificate (-----BEGIN CERTIFICATE-----)` };
};

/** A Redis ACL user name (or an Entra ID object ID): no spaces. */
export const redisUsername: Parse<string> = (value) =>
  /^\S{1,256}$/.test(value)
    ? value
    : { problem: `expected a user name without spaces, got ${shown(value)}` };

const USER_ID = /^[UW][A-Z0-9]+$/;
const GROUP_ID = /^S[A-Z0-9]+$/;

export const approverIds: Parse<{ users: string[]; groups: string[] }> = (value) => {
  const entries = [...new Set(value.split(',').map((entry) => entry.trim()))].filter(Boolean);
  const bad = entries.filter((id) => !USER_ID.test(id) && !GROUP_ID.test(id));
  if (bad.length > 0) {
    return {
      problem: `${bad.map(shown).join(', ')}: expected Slack user IDs (U…, W…) or user-group IDs (S…), uppercase, e.g. U0123ABCD`,
    };
  }
  return {
    users: entries.filter((id) => USER_ID.test(id)),
    groups: entries.filter((id) => GROUP_ID.test(id)),
  };
};

export const gatedActions: Parse<MutatingVerb[]> = (value) => {
  const entries = value
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
  // An empty value means "unset" (the default), so turning the gate off is spelled `none`.
  if (entries.length === 1 && entries[0] === 'none') return [];
  const bad = entries.filter((entry) => !isMutatingVerb(entry));
  if (bad.length > 0 || entries.length === 0) {
    return {
      problem: `expected a comma list of ${MUTATING_VERBS.join(', ')} (or none), got ${shown(value)}`,
    };
  }
  return MUTATING_VERBS.filter((verb) => entries.includes(verb));
};

const BOOLEANS = new Map([
  ['true', true],
  ['false', false],
  ['1', true],
  ['0', false],
  ['yes', true],
  ['no', false],
]);
export const flag: Parse<boolean> = (value) =>
  BOOLEANS.get(value.toLowerCase()) ?? {
    problem: `expected true or false (or 1/0, yes/no), got ${shown(value)}`,
  };

export const channelId: Parse<string> = (value) =>
  /^[CG][A-Z0-9]+$/.test(value)
    ? value
    : { problem: `expected a channel ID such as C0123ABCD (not a #name), got ${shown(value)}` };

export const tokenScope: Parse<string> = (value) =>
  /^\S+$/.test(value)
    ? value
    : {
        problem: `expected a scope such as https://cognitiveservices.azure.com/.default, got ${shown(value)}`,
      };

export const namespace: Parse<string> = (value) =>
  /^[A-Za-z0-9_-]{1,64}$/.test(value)
    ? value
    : { problem: `expected up to 64 letters, digits, - or _, got ${shown(value)}` };

export const secret =
  (prefix: string, kind: string): Parse<string> =>
  (value) =>
    value.startsWith(prefix)
      ? value
      : { problem: `is set but does not look like ${kind} (${prefix}…)` };

export const anySecret: Parse<string> = (value) => value;

/** Empty (or blank) strings count as unset, as in t3-env; values are trimmed. */
