import { SECRET_VARIABLES } from '../bot/config/index.ts';

/** Every value that must not be printed: the secret variables and Redis URL credentials. */
export function secretsIn(env: NodeJS.ProcessEnv): string[] {
  const values: string[] = [];
  for (const name of SECRET_VARIABLES) {
    const value = env[name]?.trim();
    if (value) values.push(value);
  }
  for (const entry of (env.REDIS_URL ?? '').split(',')) {
    try {
      const url = new URL(entry.trim());
      for (const part of [url.password, url.username]) {
        if (part) values.push(part, decodeURIComponent(part));
      }
    } catch {}
  }
  return values.filter((v) => v.length >= 4);
}
