import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

/** Where manifest.yml sits: the repository (or image) root, two levels above this file. */
export const MANIFEST_URL = new URL('../../manifest.yml', import.meta.url);

/** The bot scopes a manifest's `oauth_config.scopes.bot` lists; throws when there are none. */
export function botScopesOf(manifestText: string): string[] {
  const manifest = parse(manifestText) as {
    oauth_config?: { scopes?: { bot?: unknown } };
  } | null;
  const scopes = manifest?.oauth_config?.scopes?.bot;
  if (
    !Array.isArray(scopes) ||
    !scopes.every((s) => typeof s === 'string') ||
    scopes.length === 0
  ) {
    throw new Error('manifest.yml has no oauth_config.scopes.bot list');
  }
  return scopes;
}

/** Reads the bot scopes ftops needs from manifest.yml. */
export async function requiredBotScopes(url: URL = MANIFEST_URL): Promise<string[]> {
  return botScopesOf(await readFile(url, 'utf8'));
}

/** The scopes in `required` that `granted` lacks, in `required`'s order. */
export function missingScopes(granted: readonly string[], required: readonly string[]): string[] {
  const have = new Set(granted.map((s) => s.trim()));
  return required.filter((scope) => !have.has(scope));
}
