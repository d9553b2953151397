import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import type * as Yaml from 'yaml';
import type { z } from 'zod';
import type { ClientAuth } from '../../api/types.ts';
import type { ApprovalPolicyConfig, ApproverList } from '../../handlers/approval/index.ts';
import { isWebhookSecret } from '../webhooks/standard-webhooks.ts';
import {
  type ApprovalEntry,
  type ChannelRuleEntry,
  type ConfigFile,
  configFileSchema,
  type ResourceEntry,
} from './file-schema.ts';
import { shown } from './parsers.ts';
import type { AccessConfig, ChannelRule, ResourceConfig } from './resources.ts';

/**
 * Reading the FT_CONFIG file: YAML (or JSON), validated as a whole, its secrets read from the
 * variables or files it names, and its rules checked against each other (a grant naming an
 * unknown resource, two resources on one endpoint, an action no one could ever approve). Every
 * problem comes back at once, each with its line and its path in the file.
 */

/** What the environment says when the file does not: the file's values override these. */
export interface FileDefaults {
  approval: ApprovalPolicyConfig;
  pollIntervalSeconds: number;
  jobUrl?: string;
  /** FT_PRICE_PER_MILLION_TOKENS: the price of a resource that names none. */
  pricePerMillionTokens?: number;
}

export interface LoadedFile {
  resources: ResourceConfig[];
  access: AccessConfig;
  /** Every secret read through the file, so the logger can redact them. */
  secrets: string[];
}

/** One problem in the file: where (a line when known, and the path) and what. */
export type FileProblem = string;

type Path = readonly PropertyKey[];

const FOUNDRY_SCOPE = 'https://ai.azure.com/.default';
const AZURE_SCOPE = 'https://cognitiveservices.azure.com/.default';
const OPENAI_API = 'https://api.openai.com/v1';

/** A Foundry project endpoint's tokens are for ai.azure.com; a resource endpoint's are not. */
export function defaultScope(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    if (
      url.hostname.endsWith('.services.ai.azure.com') &&
      url.pathname.startsWith('/api/projects/')
    )
      return FOUNDRY_SCOPE;
  } catch {}
  return AZURE_SCOPE;
}

/** Keys a plain JavaScript object cannot hold as data. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The YAML parser, loaded on the first FT_CONFIG file: a process configured from the
 * environment alone (most workers) never holds its ~70 modules.
 */
function loadYaml(): typeof Yaml {
  return createRequire(import.meta.url)('yaml') as typeof Yaml;
}

/** Reads and checks the file at `path`; returns its resources and rules, or the problems. */
export function readConfigFile(
  path: string,
  env: NodeJS.ProcessEnv,
  defaults: FileDefaults,
  readFile: (p: string) => string = (p) => readFileSync(p, 'utf8'),
): { ok: true; value: LoadedFile } | { ok: false; problems: FileProblem[] } {
  const label = basename(path);
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      ok: false,
      problems: [
        `FT_CONFIG: cannot read ${shown(path)} (${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')})`,
      ],
    };
  }
  const { isDocument, isMap, isPair, isScalar, LineCounter, parseDocument, visit } = loadYaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const at = lines.linePos(e.pos[0]);
        return `${label} line ${at.line}, column ${at.col}: ${firstLine(e.message)}`;
      }),
    };
  }
  const where = (p: Path, atKey = false): string => {
    let node: unknown = isDocument(doc) ? doc.getIn(p as PropertyKey[], true) : undefined;
    if (atKey) {
      // A bad key: point at the key itself, not at its value below it.
      const parent = doc.getIn(p.slice(0, -1) as PropertyKey[], true);
      const pair = isMap(parent)
        ? parent.items.find((item) => isScalar(item.key) && item.key.value === p.at(-1))
        : undefined;
      if (pair) node = pair.key;
    }
    // A missing key has no node: point at its parent instead.
    for (let cut = p.length - 1; node === undefined && cut >= 0; cut--)
      node = doc.getIn(p.slice(0, cut) as PropertyKey[], true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    const line = range ? lines.linePos(range[0]).line : undefined;
    const dotted = p.map(String).join('.');
    return `${label}${line ? ` line ${line}` : ''}${dotted ? ` (${dotted})` : ''}`;
  };

  // A key JavaScript objects treat as special would vanish on the way to a plain object (and
  // a resource named so with it): refused where it is written.
  const special: FileProblem[] = [];
  visit(doc, {
    Pair(_, pair) {
      if (isPair(pair) && isScalar(pair.key) && RESERVED_KEYS.has(String(pair.key.value))) {
        const range = pair.key.range;
        const line = range ? ` line ${lines.linePos(range[0]).line}` : '';
        special.push(
          `${label}${line}: ${shown(String(pair.key.value))} cannot be used as a name or key`,
        );
      }
    },
  });
  if (special.length > 0) return { ok: false, problems: special };

  const parsed = configFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues
        .flatMap((i) => expand(i, []))
        .map((i) => `${where(i.path, isAtKey(i))}: ${message(i)}`),
    };
  }
  const problems: FileProblem[] = [];
  const report = (p: Path, text: string) => problems.push(`${where(p)}: ${text}`);
  const value = resolve(parsed.data, env, defaults, report, label);
  // In the order of the file, as an editor would walk through them.
  const lineOf = (p: string) => Number(/ line (\d+)/.exec(p)?.[1] ?? 0);
  problems.sort((a, b) => lineOf(a) - lineOf(b));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value };
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

type Issue = z.core.$ZodIssue;

/**
 * zod reports a value that matched no branch of a union as one "invalid input", and a bad
 * record key as "invalid key": the useful problems are inside. A union's branch that got
 * furthest (its problems deepest in the value) is the one the writer meant.
 */
function expand(issue: Issue, prefix: readonly PropertyKey[]): Issue[] {
  const path = [...prefix, ...issue.path];
  if (
    issue.code === 'invalid_union' &&
    issue.errors.length > 0 &&
    !issue.message.startsWith('expected')
  ) {
    const depth = (branch: Issue[]) => Math.max(...branch.map((i) => i.path.length));
    const best =
      [...issue.errors].sort((a, b) => depth(b) - depth(a) || a.length - b.length)[0] ?? [];
    if (depth(best) > 0) return best.flatMap((i) => expand(i, path));
  }
  if (issue.code === 'invalid_key' && issue.issues.length > 0)
    return issue.issues.map((i) => ({ ...i, path, params: { atKey: true } }));
  return [{ ...issue, path }];
}

function isAtKey(issue: Issue): boolean {
  return (issue as { params?: { atKey?: boolean } }).params?.atKey === true;
}

function message(issue: Issue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => shown(k)).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'required';
  return issue.message;
}

type Report = (path: Path, text: string) => void;

function resolve(
  file: ConfigFile,
  env: NodeJS.ProcessEnv,
  defaults: FileDefaults,
  report: Report,
  label: string,
): LoadedFile {
  const secrets: string[] = [];
  const readSecret = (
    path: Path,
    ref: { env?: string | undefined; file?: string | undefined },
  ): string | undefined => {
    let value: string | undefined;
    if (ref.env !== undefined) {
      value = env[ref.env]?.trim();
      if (!value) report(path, `the variable ${ref.env} is not set`);
    } else if (ref.file !== undefined) {
      try {
        value = readFileSync(ref.file, 'utf8').trim();
        if (!value) report(path, `the file ${shown(ref.file)} is empty`);
      } catch {
        report(path, `cannot read the file ${shown(ref.file)}`);
      }
    }
    if (value) secrets.push(value);
    return value || undefined;
  };

  const globalApproval = mergeApproval(defaults.approval, file.defaults?.approval);
  const pollDefault = file.defaults?.poll_interval_seconds ?? defaults.pollIntervalSeconds;
  const jobUrlDefault = file.defaults?.job_url ?? defaults.jobUrl;

  const resources: ResourceConfig[] = [];
  const endpoints = new Map<string, string>();
  for (const [name, entry] of Object.entries(file.resources)) {
    const at = ['resources', name] as const;
    const resource = resolveResource(name, entry, at, readSecret);
    if (resource.webhookSecret !== undefined && !isWebhookSecret(resource.webhookSecret))
      report(
        [
          ...at,
          'webhook_secret_env' in entry && entry.webhook_secret_env
            ? 'webhook_secret_env'
            : 'webhook_secret_file',
        ],
        'expected whsec_ followed by base64, as the OpenAI platform shows the secret',
      );
    const approval = mergeApproval(globalApproval, entry.approval);
    checkApproval(approval, [...at, 'approval'], report);
    const seen = endpoints.get(resource.baseUrl);
    if (seen !== undefined)
      report(
        [...at, entry.kind === 'azure' ? 'endpoint' : 'base_url'],
        `the same endpoint as resource ${seen}; name each endpoint once`,
      );
    endpoints.set(resource.baseUrl, name);
    const price = entry.price_per_million_tokens ?? defaults.pricePerMillionTokens;
    const jobUrl =
      entry.job_url ??
      jobUrlDefault ??
      (resource.kind === 'openai' && resource.baseUrl === OPENAI_API
        ? 'https://platform.openai.com/finetune/{job}'
        : undefined);
    resources.push({
      ...resource,
      pollIntervalSeconds: entry.poll_interval_seconds ?? pollDefault,
      approval,
      ...(jobUrl ? { jobUrl } : {}),
      ...(price === undefined ? {} : { pricePerMillionTokens: price }),
    });
  }
  const names = new Set(resources.map((r) => r.name));
  const access = resolveAccess(file.access, names, report, label);
  return { resources, access, secrets };
}

function resolveResource(
  name: string,
  entry: ResourceEntry,
  at: Path,
  readSecret: (path: Path, ref: { env?: string; file?: string }) => string | undefined,
): Omit<ResourceConfig, 'pollIntervalSeconds' | 'approval' | 'jobUrl' | 'pricePerMillionTokens'> {
  if (entry.kind === 'azure') {
    const a = entry.auth;
    let auth: ClientAuth;
    if ('entra' in a) {
      auth = {
        type: 'entra',
        scope: a.entra.scope ?? defaultScope(entry.endpoint),
        ...(a.entra.client_id ? { managedIdentityClientId: a.entra.client_id } : {}),
      };
    } else {
      const key = readSecret([...at, 'auth', 'api_key_env' in a ? 'api_key_env' : 'api_key_file'], {
        ...('api_key_env' in a ? { env: a.api_key_env } : { file: a.api_key_file }),
      });
      auth = { type: 'api-key', key: key ?? '' };
    }
    return {
      name,
      kind: 'azure',
      baseUrl: entry.endpoint,
      auth,
      ...(entry.api_version ? { apiVersion: entry.api_version } : {}),
    };
  }
  const a = entry.auth;
  const token = readSecret([...at, 'auth', 'api_key_env' in a ? 'api_key_env' : 'api_key_file'], {
    ...('api_key_env' in a ? { env: a.api_key_env } : { file: a.api_key_file }),
  });
  const headers: Record<string, string> = {};
  if (entry.organization) headers['openai-organization'] = entry.organization;
  if (entry.project) headers['openai-project'] = entry.project;
  const webhookSecret =
    entry.webhook_secret_env !== undefined || entry.webhook_secret_file !== undefined
      ? readSecret(
          [
            ...at,
            entry.webhook_secret_env !== undefined ? 'webhook_secret_env' : 'webhook_secret_file',
          ],
          entry.webhook_secret_env !== undefined
            ? { env: entry.webhook_secret_env }
            : { file: entry.webhook_secret_file as string },
        )
      : undefined;
  return {
    name,
    kind: 'openai',
    baseUrl: entry.base_url ?? OPENAI_API,
    auth: { type: 'bearer', token: token ?? '' },
    ...(Object.keys(headers).length ? { headers } : {}),
    ...(webhookSecret ? { webhookSecret } : {}),
  };
}

function mergeApproval(
  base: ApprovalPolicyConfig,
  over: ApprovalEntry | undefined,
): ApprovalPolicyConfig {
  if (!over) return base;
  const channel = over.channel ?? base.channel;
  return {
    approvers: over.approvers ?? base.approvers,
    gatedActions: over.gated_actions ?? base.gatedActions,
    approvalsRequired: over.approvals_required ?? base.approvalsRequired,
    selfService: over.self_service ?? base.selfService,
    ttlMinutes: over.ttl_minutes ?? base.ttlMinutes,
    ...(channel ? { channel } : {}),
  };
}

/** An action that is gated but that no one, or not enough people, could ever approve. */
function checkApproval(policy: ApprovalPolicyConfig, at: Path, report: Report): void {
  if (policy.gatedActions.length === 0) return;
  const gated = policy.gatedActions.join(' and ');
  const { users, groups } = policy.approvers;
  if (users.length === 0 && groups.length === 0) {
    report(
      at,
      `${gated} ${policy.gatedActions.length > 1 ? 'are' : 'is'} gated but no approver is listed, so no one could ever approve; list approvers or set gated_actions: []`,
    );
    return;
  }
  // Four eyes: the requester never counts, so n approvals need n + 1 people to be possible.
  if (groups.length === 0 && users.length < policy.approvalsRequired) {
    report(
      at,
      `approvals_required is ${policy.approvalsRequired} but only ${users.length} approver${users.length === 1 ? ' is' : 's are'} listed, so ${gated} could never be approved`,
    );
  }
}

function resolveAccess(
  entry: ConfigFile['access'],
  names: ReadonlySet<string>,
  report: Report,
  label: string,
): AccessConfig {
  const rule = (e: ChannelRuleEntry, at: Path): ChannelRule => {
    e.allow.forEach((grant, i) => {
      if (grant.resources === 'all') return;
      grant.resources.forEach((name, j) => {
        if (!names.has(name))
          report(
            [...at, 'allow', ...(e.allow.length > 1 || i > 0 ? [i] : []), 'resources', j],
            `no resource is named ${shown(name)} (known: ${[...names].join(', ')})`,
          );
      });
    });
    return {
      ...(e.name ? { name: e.name.replace(/^#?/, '#') } : {}),
      ...(e.users ? { users: e.users } : {}),
      allow: e.allow.map((g) => ({ resources: g.resources, verbs: g.verbs })),
      source: `${label} → ${at.map(String).join('.')}`,
    };
  };
  const none: ApproverList = { users: [], groups: [] };
  const channels: Record<string, ChannelRule> = {};
  for (const [id, e] of Object.entries(entry?.channels ?? {}))
    channels[id] = rule(e, ['access', 'channels', id]);
  return {
    ...(entry?.users ? { users: entry.users } : {}),
    admins: entry?.admins ?? none,
    channels,
    // No default written: a listed channel gets its rule, any other may do everything, as
    // without a file. Writing `default` is how a team closes the rest of the workspace.
    default: entry?.default
      ? rule(entry.default, ['access', 'default'])
      : {
          allow: [{ resources: 'all', verbs: 'all' }],
          source: `${label} (no access.default: every verb on every resource)`,
        },
  };
}
