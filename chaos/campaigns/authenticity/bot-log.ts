import { bump } from './trace.ts';

/** The bot's own account, from its log lines. */
export interface BotLog {
  refusedByReason: Map<string, number>;
  replaysIgnored: number;
  errorLines: number;
  unparsed: number;
}

export function readBotLog(lines: readonly string[]): BotLog {
  const out: BotLog = { refusedByReason: new Map(), replaysIgnored: 0, errorLines: 0, unparsed: 0 };
  for (const line of lines) {
    let entry: { level?: number; msg?: string; reason?: string };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      out.unparsed++;
      continue;
    }
    if ((entry.level ?? 0) >= 50) out.errorLines++;
    if (entry.msg?.startsWith('refused a Slack request'))
      bump(out.refusedByReason, String(entry.reason));
    if (entry.msg?.startsWith('ignored a replayed Slack request')) out.replaysIgnored++;
  }
  return out;
}
