import { readConfigFile } from './file.ts';
import { DEFAULT_RESOURCE, type ResourceConfig } from './resources.ts';
import { EITHER_BACKEND, type EnvConfig, envSchema } from './schema.ts';
import {
  CONFIG_VARIABLES,
  type Config,
  ConfigError,
  SECRET_VARIABLES,
  type Variable,
} from './variables.ts';

/** Loading the configuration, and stopping start-up with every problem when it is wrong. */

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function orderOf(name: PropertyKey | undefined): number {
  const index = CONFIG_VARIABLES.indexOf(
    (name === EITHER_BACKEND ? 'AZURE_OPENAI_ENDPOINT' : name) as Variable,
  );
  return index === -1 ? CONFIG_VARIABLES.length : index;
}

/** Replaces any secret value from `env` found in `text`: a last guard behind the messages above. */
function redactSecrets(text: string, env: NodeJS.ProcessEnv): string {
  let safe = text;
  for (const name of SECRET_VARIABLES) {
    const raw = env[name];
    const value = typeof raw === 'string' ? raw.trim() : undefined;
    // Whatever its length: a short secret blanking an ordinary word is the lesser harm.
    if (value) safe = safe.split(value).join(`[${name}]`);
  }
  return safe;
}

/**
 * Reads and validates the whole environment at once. Throws a `ConfigError` listing every
 * bad or missing variable; never echoes a secret.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const problems = [...result.error.issues]
      .sort((a, b) => orderOf(a.path[0]) - orderOf(b.path[0]))
      .map((issue) => redactSecrets(`${issue.path.map(String).join('.')}: ${issue.message}`, env));
    throw new ConfigError(problems);
  }
  return deepFreeze(withResources(result.data, env));
}

/** The resources: the file's when FT_CONFIG is set, else one named `default` from the variables. */
function withResources(base: EnvConfig, env: NodeJS.ProcessEnv): Config {
  if (base.configFile === undefined) {
    const fineTuning = base.fineTuning as Config['fineTuning'];
    return { ...base, fineTuning, resources: [envResource(base, fineTuning)] };
  }
  const file = readConfigFile(base.configFile, env, {
    approval: base.approval,
    pollIntervalSeconds: base.poller.intervalSeconds,
    ...(base.jobUrl ? { jobUrl: base.jobUrl } : {}),
    ...(base.pricePerMillionTokens !== undefined
      ? { pricePerMillionTokens: base.pricePerMillionTokens }
      : {}),
  });
  if (!file.ok) throw new ConfigError(file.problems.map((p) => redactSecrets(p, env)));
  const [first] = file.value.resources as [ResourceConfig];
  return {
    ...base,
    fineTuning: {
      provider: first.kind,
      baseUrl: first.baseUrl,
      auth: first.auth,
      ...(first.apiVersion ? { apiVersion: first.apiVersion } : {}),
    },
    resources: file.value.resources,
    access: file.value.access,
    fileSecrets: file.value.secrets,
  };
}

function envResource(base: EnvConfig, fineTuning: Config['fineTuning']): ResourceConfig {
  return {
    name: DEFAULT_RESOURCE,
    kind: fineTuning.provider,
    baseUrl: fineTuning.baseUrl,
    auth: fineTuning.auth,
    ...(fineTuning.apiVersion ? { apiVersion: fineTuning.apiVersion } : {}),
    pollIntervalSeconds: base.poller.intervalSeconds,
    ...(base.jobUrl ? { jobUrl: base.jobUrl } : {}),
    ...(base.pricePerMillionTokens !== undefined
      ? { pricePerMillionTokens: base.pricePerMillionTokens }
      : {}),
    approval: base.approval,
  };
}

/** Where `exitOnConfigError` writes and how it ends the process; injectable for tests. */
export interface ExitIO {
  writeError(text: string): void;
  exit(code: number): never;
}

const processIO: ExitIO = {
  writeError: (text) => process.stderr.write(text),
  exit: (code) => process.exit(code),
};

/** Runs `load`; on a `ConfigError` prints its problems (no stack trace) and exits with code 2. */
export function exitOnConfigError<T>(load: () => T, io: ExitIO = processIO): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.writeError(`ftops: cannot start, ${error.message}\nSee README.md → Configuration.\n`);
    return io.exit(2);
  }
}
