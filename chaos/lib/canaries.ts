import { randomBytes } from 'node:crypto';

/**
 * Every secret ftops reads, set to a value that appears nowhere else, so finding it anywhere
 * afterwards (a log line, a Redis value, a Slack body) proves a leak. Each keeps the shape of
 * the real thing (`xoxb-`, `xapp-`, `sk-`) so code that recognises secrets by shape is tested
 * too, and carries a random tag so no two runs share one.
 */
export interface Canaries {
  SLACK_BOT_TOKEN: string;
  SLACK_SIGNING_SECRET: string;
  SLACK_APP_TOKEN: string;
  AZURE_OPENAI_API_KEY: string;
  OPENAI_API_KEY: string;
}

export function makeCanaries(): Canaries {
  const tag = () => randomBytes(9).toString('hex');
  return {
    SLACK_BOT_TOKEN: `xoxb-canary-bot-${tag()}`,
    SLACK_SIGNING_SECRET: `canary-signing-${tag()}`,
    SLACK_APP_TOKEN: `xapp-1-canary-app-${tag()}`,
    AZURE_OPENAI_API_KEY: `canary-azure-key-${tag()}`,
    OPENAI_API_KEY: `sk-canary-openai-${tag()}`,
  };
}

/** The forms a secret could leak in: itself, and the random tag alone (a partly masked copy). */
export function canaryNeedles(c: Canaries): Array<{ name: keyof Canaries; needle: string }> {
  const out: Array<{ name: keyof Canaries; needle: string }> = [];
  for (const [name, value] of Object.entries(c) as Array<[keyof Canaries, string]>) {
    out.push({ name, needle: value });
    const tag = value.slice(value.lastIndexOf('-') + 1);
    out.push({ name, needle: tag });
  }
  return out;
}
