import { ConfigError, LOG_LEVELS, type LogLevel } from '../bot/config/index.ts';
import { loadEnvFile } from '../bot/env-file.ts';
import { errorText } from '../util/error-text.ts';
import { NoRedisError, PortTakenError, startSandbox } from './index.ts';
import { ruleSettings } from './rules.ts';

/**
 * `npm run sandbox`: the emulators, Redis and the real bot in one process on 127.0.0.1, with
 * a Slack-like page to try ftops without Slack or Azure. Ctrl-C stops everything it started.
 */

/** A start-up problem the user can fix; printed without a stack trace. */
class UsageError extends Error {}

function parsePort(raw: string | undefined): number {
  const port = Number(raw ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`PORT must be a whole number from 0 to 65535, not '${raw}'.`);
  }
  return port;
}

function parseLogLevel(raw: string | undefined): LogLevel {
  const level = (raw ?? 'warn').toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(level) ? (level as LogLevel) : 'warn';
}

async function main(): Promise<void> {
  loadEnvFile();
  const env = process.env;
  console.log('Starting the ftops sandbox…');
  const sandbox = await startSandbox({
    port: parsePort(env.PORT || undefined),
    ...(env.REDIS_URL ? { redis: { url: env.REDIS_URL } } : {}),
    logLevel: parseLogLevel(env.LOG_LEVEL || undefined),
    rules: ruleSettings(env),
  });
  const lines = [
    '',
    // Uptime, not startupMs alone: loading and compiling the modules is most of the wait.
    `  ftops sandbox ready in ${process.uptime().toFixed(1)} s`,
    '',
    `  Open  ${sandbox.url}`,
    '',
    ...(sandbox.portTaken !== undefined
      ? [`  (port ${sandbox.portTaken} was taken, so ${sandbox.port} is used instead)`, '']
      : []),
    `  Redis       ${sandbox.redis.private ? `a private redis-server at ${sandbox.redis.url} (stopped on exit)` : sandbox.redis.url} — keys under {${sandbox.namespace}}`,
    `  Slack       emulator at ${sandbox.slack.apiUrl}`,
    `  Fine-tuning azure-eastus    (Azure)  emulator at ${sandbox.ft.azureBaseUrl} with ${sandbox.jobIds.length} demo jobs`,
    `              openai-platform (OpenAI) emulator at ${sandbox.platform.openaiBaseUrl} with ${sandbox.platformJobIds.length} jobs`,
    `  FT_CONFIG   ${sandbox.configFile} (removed on exit)`,
    '  #ml-training watches all jobs; approvals go to #approvals (approvers: avery, jordan).',
    '  #team-vision and #team-nlp have channel rules of their own: /ft policy there says which.',
    ...sandbox.rules.map((r) => `  ${r}`),
    '  Bot log level: warn (LOG_LEVEL=info npm run sandbox for more).',
    '',
    '  Ctrl-C to stop.',
    '',
  ];
  console.log(lines.join('\n'));

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130); // a second Ctrl-C does not wait
    stopping = true;
    console.log(`\n${signal}: stopping the sandbox…`);
    sandbox.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('could not stop cleanly:', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  if (
    err instanceof NoRedisError ||
    err instanceof PortTakenError ||
    err instanceof UsageError ||
    err instanceof ConfigError
  ) {
    console.error(`\nftops sandbox: ${err.message}`);
    process.exit(2);
  }
  console.error('ftops sandbox could not start:', errorText(err));
  process.exit(1);
});
