import { isWebhookSecret } from '../webhooks/standard-webhooks.ts';
import { resolveAccess } from './file-access.ts';
import { checkApproval, mergeApproval } from './file-approval.ts';
import { OPENAI_API, resolveResource, secretReader } from './file-resource.ts';
import type { ConfigFile } from './file-schema.ts';
import type { FileDefaults, LoadedFile, Report } from './file-types.ts';
import type { ResourceConfig } from './resources.ts';

/**
 * The checked FT_CONFIG file made into resources and rules: the secrets read, the defaults
 * filled in, and the rules checked against each other.
 */

export function resolve(
  file: ConfigFile,
  env: NodeJS.ProcessEnv,
  defaults: FileDefaults,
  report: Report,
  label: string,
): LoadedFile {
  const secrets: string[] = [];
  const readSecret = secretReader(env, report, secrets);

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
