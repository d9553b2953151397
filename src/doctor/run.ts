import { type Config, ConfigError, loadConfig } from '../bot/config/index.ts';
import { scrubSecrets } from '../bot/logger.ts';
import { CHECKS, type CheckResult, pass } from './check.ts';
import { fineTuningChecks } from './fine-tuning-group.ts';
import { DOCTOR_EXIT, type DoctorOptions } from './options.ts';
import { redisChecks } from './redis-group.ts';
import { configSummary, formatResult, SYMBOL } from './report.ts';
import { MANIFEST_URL } from './scopes.ts';
import { secretsIn } from './secrets.ts';
import { slackChecks } from './slack-group.ts';

export { DOCTOR_EXIT, type DoctorOptions } from './options.ts';
export { formatResult } from './report.ts';

/**
 * Checks a configuration end to end (environment, Redis, Slack, the fine-tuning API, approver
 * groups, Socket Mode), prints one line per check through `out`, and returns the exit code:
 * 0 when all pass, 1 when any fails, 2 when the environment does not parse.
 */
export async function runDoctor(env: NodeJS.ProcessEnv, opts: DoctorOptions): Promise<number> {
  const secrets = secretsIn(env);
  const print = (line: string) => opts.out(scrubSecrets(line, secrets));
  const timeoutMs = opts.timeoutMs ?? 10_000;
  print('ftops doctor: checking the configuration in this environment');

  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const count = err.problems.length === 1 ? '1 problem' : `${err.problems.length} problems`;
    print(`${SYMBOL.fail} Configuration: ${count}`);
    for (const problem of err.problems) print(`    - ${problem}`);
    print('    fix: set the variables above (see .env.example and README → Configuration).');
    print('Nothing else was checked: the other checks need a valid configuration.');
    return DOCTOR_EXIT.config;
  }

  // Keys read from the files FT_CONFIG names are secrets too.
  secrets.push(...(config.fileSecrets ?? []));
  const results: CheckResult[] = [pass(CHECKS.config, configSummary(config))];
  for (const line of formatResult(results[0]!)) print(line);
  // One group at a time, in a fixed order, so the report reads the same on every run.
  const groups = [
    () => redisChecks(config, opts, timeoutMs, secrets),
    () => slackChecks(config, timeoutMs, opts.manifestUrl ?? MANIFEST_URL),
    () => fineTuningChecks(config, opts),
  ];
  for (const group of groups) {
    for (const result of await group()) {
      results.push(result);
      for (const line of formatResult(result)) print(line);
    }
  }

  const failed = results.filter((r) => !r.ok).length;
  const warned = results.filter((r) => r.warning).length;
  const skipped = results.filter((r) => r.skipped).length;
  const ran = results.length - skipped;
  if (failed > 0) {
    const notRun = skipped > 0 ? `; ${skipped} more could not run because of that` : '';
    print(`${failed} of ${results.length} checks failed${notRun}.`);
    return DOCTOR_EXIT.failed;
  }
  print(`All ${ran} checks passed${warned > 0 ? ` (${warned} with a warning)` : ''}.`);
  return DOCTOR_EXIT.ok;
}
