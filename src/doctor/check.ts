/**
 * Every check the doctor can run, in the order it runs them; each result is named from here, so
 * the summary's counts and the README's list (kept by a test) come from one place.
 */
export const CHECKS = {
  config: 'Configuration',
  redis: 'Redis',
  redisMode: 'Redis mode',
  redisAuth: 'Redis auth',
  eviction: 'Redis eviction policy',
  slackToken: 'Slack bot token',
  slackScopes: 'Slack bot scopes',
  approvers: 'Approvers',
  socketMode: 'Slack Socket Mode',
  fineTuning: 'Fine-tuning API',
} as const;

/** The outcome of one doctor check: what was checked, what was found, and what to do about it. */
export interface CheckResult {
  /** Short name shown first on the line, e.g. `Redis` or `Slack bot token`. */
  name: string;
  /** False fails the run (exit 1). */
  ok: boolean;
  /** Passed, but something could not be verified or looks risky; shown with ⚠, does not fail. */
  warning?: boolean;
  /** Skipped because a check it depends on failed; shown with –, does not count. */
  skipped?: boolean;
  /** What was found; never a secret. */
  detail: string;
  /** What to change, for a failure or a warning. */
  fix?: string;
}

/** A passing result. */
export const pass = (name: string, detail: string): CheckResult => ({ name, ok: true, detail });

/** A failing result with its fix. */
export const fail = (name: string, detail: string, fix: string): CheckResult => ({
  name,
  ok: false,
  detail,
  fix,
});

/** A result that passes with a warning: it could not be verified, or it works but is risky. */
export const warn = (name: string, detail: string, fix: string): CheckResult => ({
  name,
  ok: true,
  warning: true,
  detail,
  fix,
});

/** A result for a check that did not run because `because` failed. */
export const skip = (name: string, because: string): CheckResult => ({
  name,
  ok: true,
  skipped: true,
  detail: `not checked (${because})`,
});
