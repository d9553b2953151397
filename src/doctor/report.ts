import type { Config } from '../bot/config/index.ts';
import type { CheckResult } from './check.ts';

export const SYMBOL = { ok: '✓', warn: '⚠', fail: '✗', skip: '–' } as const;

/** One check as printed: a status line, then an indented fix for failures and warnings. */
export function formatResult(result: CheckResult): string[] {
  const symbol = result.skipped
    ? SYMBOL.skip
    : !result.ok
      ? SYMBOL.fail
      : result.warning
        ? SYMBOL.warn
        : SYMBOL.ok;
  const lines = [`${symbol} ${result.name}: ${result.detail}`];
  if (result.fix && (!result.ok || result.warning)) lines.push(`    fix: ${result.fix}`);
  return lines;
}

/** The configuration check's detail: the mode, the backends and the role in one line. */
export function configSummary(config: Config): string {
  const mode = config.slack.socketMode ? 'Socket Mode' : 'HTTP mode';
  const backendOf = (kind: 'azure' | 'openai', auth: string) =>
    kind === 'azure' ? `Azure OpenAI (${auth})` : 'OpenAI platform';
  if (config.configFile === undefined) {
    const ft = config.fineTuning;
    return `parsed: ${mode}, ${backendOf(ft.provider, ft.auth.type)}, role ${config.role}`;
  }
  const resources = config.resources.map((r) => `${r.name}: ${backendOf(r.kind, r.auth.type)}`);
  const channels = Object.keys(config.access.channels).length;
  return `parsed: ${mode}, role ${config.role}; ${config.configFile} names ${resources.length} resource${resources.length === 1 ? '' : 's'} (${resources.join(', ')}) and rules for ${channels} channel${channels === 1 ? '' : 's'}`;
}
