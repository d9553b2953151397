import { createFineTuningClient } from '../api/index.ts';
import type { Config } from '../bot/config/index.ts';
import type { CheckResult } from './check.ts';
import { checkFineTuningApi } from './fine-tuning-check.ts';
import type { DoctorOptions } from './options.ts';

/** Every resource at once, each on its own client: one that hangs delays only its own line. */
export async function fineTuningChecks(
  config: Config,
  opts: DoctorOptions,
): Promise<CheckResult[]> {
  if (config.configFile === undefined) return [await fineTuningCheck(config.fineTuning, opts)];
  return Promise.all(
    config.resources.map(async (r) => {
      const result = await fineTuningCheck(
        {
          provider: r.kind,
          baseUrl: r.baseUrl,
          auth: r.auth,
          ...(r.apiVersion ? { apiVersion: r.apiVersion } : {}),
        },
        opts,
        r.headers,
      );
      return { ...result, name: `${result.name} (${r.name})` };
    }),
  );
}

async function fineTuningCheck(
  ft: Config['fineTuning'],
  opts: DoctorOptions,
  headers?: Readonly<Record<string, string>>,
): Promise<CheckResult> {
  const auth =
    ft.auth.type === 'entra' && opts.credential
      ? { ...ft.auth, credential: opts.credential }
      : ft.auth;
  const client = createFineTuningClient({
    baseUrl: ft.baseUrl,
    auth,
    ...(ft.apiVersion ? { apiVersion: ft.apiVersion } : {}),
    ...(headers ? { headers } : {}),
    timeoutMs: opts.timeoutMs ?? 10_000,
    maxRetries: 1,
    retryPolicy: opts.retryPolicy ?? { baseDelayMs: 250, maxDelayMs: 1_000 },
  });
  try {
    return await checkFineTuningApi(client, ft);
  } finally {
    await client.close();
  }
}
