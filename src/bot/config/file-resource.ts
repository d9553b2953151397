import { readFileSync } from 'node:fs';
import type { ClientAuth } from '../../api/types.ts';
import type { ResourceEntry } from './file-schema.ts';
import type { Path, Report } from './file-types.ts';
import { shown } from './parsers.ts';
import type { ResourceConfig } from './resources.ts';

/** One resource of the FT_CONFIG file: its endpoint, its auth, and the secrets it names. */

const FOUNDRY_SCOPE = 'https://ai.azure.com/.default';
const AZURE_SCOPE = 'https://cognitiveservices.azure.com/.default';
export const OPENAI_API = 'https://api.openai.com/v1';

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

/** Reads a secret from the variable or file `ref` names. */
export type ReadSecret = (path: Path, ref: { env?: string; file?: string }) => string | undefined;

/** A secret reader that reports what it cannot read and keeps what it read in `secrets`. */
export function secretReader(env: NodeJS.ProcessEnv, report: Report, secrets: string[]) {
  return (
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
}

export function resolveResource(
  name: string,
  entry: ResourceEntry,
  at: Path,
  readSecret: ReadSecret,
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
