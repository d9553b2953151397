import type { Config } from './variables.ts';

/** The configuration described for the start-up log line: what is set, never a secret. */

function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = '***';
    return parsed.href;
  } catch {
    return 'unparseable (not shown)';
  }
}

const setOrUnset = (value: unknown) => (value ? 'set' : 'unset');

/** A summary of the configuration that is safe to log: secrets appear only as "set"/"unset". */
export function describeConfig(config: Config) {
  const { slack, fineTuning, approval } = config;
  const { auth } = fineTuning;
  return {
    slack: {
      mode: slack.socketMode ? 'socket' : 'http',
      botToken: setOrUnset(slack.botToken),
      signingSecret: setOrUnset(slack.signingSecret),
      appToken: setOrUnset(slack.appToken),
      apiUrl: slack.apiUrl,
    },
    port: config.port,
    fineTuning: {
      provider: fineTuning.provider,
      baseUrl: fineTuning.baseUrl,
      auth:
        auth.type === 'entra' ? `entra (scope ${auth.scope ?? 'default'})` : `${auth.type} (set)`,
      apiVersion: fineTuning.apiVersion ?? 'not sent',
    },
    redis: { url: redactRedisUrl(config.redis.url), namespace: config.redis.namespace },
    approval: {
      approvers: [...approval.approvers.users, ...approval.approvers.groups],
      gatedActions: [...approval.gatedActions],
      approvalsRequired: approval.approvalsRequired,
      selfService: approval.selfService,
      channel: approval.channel ?? 'the channel asked in',
      ttlMinutes: approval.ttlMinutes,
    },
    pollIntervalSeconds: config.poller.intervalSeconds,
    role: config.role,
    answerIn: config.answerIn,
    logLevel: config.logLevel,
  };
}
