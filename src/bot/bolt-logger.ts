import type { Logger as SlackLogger } from '@slack/bolt';
// LogLevel from the Web API package (Bolt re-exports the same enum): a value import of Bolt here
// would load all of Bolt into the worker, which only needs the Web API client.
import { LogLevel } from '@slack/web-api';
import type { Logger } from 'pino';

/** Routes Bolt's and the Slack SDK's own log lines into our pino logger (and its redaction). */
export function toSlackLogger(logger: Logger, name = 'slack'): SlackLogger {
  const child = logger.child({ component: name });
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...msg: unknown[]) =>
      child[level](msg.map((m) => (typeof m === 'string' ? m : safeString(m))).join(' '));
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel: () => {},
    getLevel: () => (child.isLevelEnabled('debug') ? LogLevel.DEBUG : LogLevel.INFO),
    setName: () => {},
  };
}

function safeString(v: unknown): string {
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}
