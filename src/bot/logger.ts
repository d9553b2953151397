import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** Field paths that hold credentials wherever they appear in a logged object. */
const REDACT_PATHS = [
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'appToken',
  '*.appToken',
  'signingSecret',
  '*.signingSecret',
  'apiKey',
  '*.apiKey',
  'key',
  '*.key',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers["api-key"]',
  'headers["x-slack-signature"]',
  '*.headers.authorization',
  '*.headers["api-key"]',
];

export interface LoggerOptions {
  level: string;
  /** Every secret value in the configuration; any line containing one has it masked. */
  secrets: readonly string[];
  /** Where lines go; standard output by default (tests pass a capture stream). */
  destination?: DestinationStream;
}

/**
 * Builds the one pino logger of the process. Redaction is configuration, not care: known
 * credential fields are censored by path, and as a last line of defence every written line is
 * scrubbed of the configured secret values, so a token inside an error message or a logged
 * request never reaches the output.
 */
export function createLogger(opts: LoggerOptions): Logger {
  // Every secret, however short, longest first so one that contains another goes whole.
  const secrets = opts.secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  return pino(
    {
      level: opts.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: errorForLog },
      hooks: {
        streamWrite: (line: string) => scrubSecrets(line, secrets),
      },
    },
    opts.destination ?? (process.stdout.isTTY ? prettyDestination() : undefined),
  );
}

/**
 * How an error logged as `{ err }` appears: an error's own `toJSON` when it has one (the API
 * client's errors show only their safe fields), else its name and message. Never a stack
 * trace: the line's correlation or sweep ID is how an operator finds the context.
 */
export function errorForLog(err: unknown): unknown {
  if (err instanceof Error) {
    const own = (err as Error & { toJSON?: () => unknown }).toJSON;
    return typeof own === 'function' ? own.call(err) : { name: err.name, message: err.message };
  }
  return err !== null && typeof err === 'object' ? err : { message: String(err) };
}

/** Human-readable lines when a person watches the terminal; JSON lines everywhere else. */
function prettyDestination(): DestinationStream {
  return pino.transport({
    target: 'pino-pretty',
    options: { colorize: true, translateTime: 'SYS:HH:MM:ss' },
  });
}

/** Replaces every occurrence of each secret (also in JSON-escaped form) with `[redacted]`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join('[redacted]');
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret && out.includes(escaped)) out = out.split(escaped).join('[redacted]');
  }
  return out;
}
