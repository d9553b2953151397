import type { BotProcess } from '../../lib/bot-process.ts';
import { n, type Row } from '../../lib/campaign.ts';
import type { BotLog } from './bot-log.ts';
import { ALL_KINDS, CATEGORIES, CATEGORY_TEXT, EXPECTED_REASON } from './kinds.ts';
import type { ForgedUnit, Unit, ValidUnit } from './plan.ts';
import { bump, type Trace } from './trace.ts';
import { type AuthenticityFigures, effectsOf } from './verdicts.ts';

/** The campaign's rows: traceability, one per forgery category, valid, replays, the bot's account, the bot. */
export function buildRows(x: {
  total: number;
  tasks: number;
  units: Unit[];
  distinctUrls: number;
  distinctJobs: number;
  valid: ValidUnit[];
  forged: ForgedUnit[];
  trace: Trace;
  botLog: BotLog;
  bot: BotProcess;
  botAlive: boolean;
  barrierOk: boolean;
  figures: AuthenticityFigures;
  sendMs: number;
}): Row[] {
  const { figures: f, trace: t, valid, forged } = x;
  const rows: Row[] = [];
  rows.push({
    tried: `${n(f.requests)} requests into /slack/events, each naming its own job and response_url`,
    happened: `${n(x.units.length)} requests (replays aside): ${n(x.distinctJobs)} distinct jobs, ${n(x.distinctUrls)} distinct response_urls; ${n(f.validSent)} valid, ${n(f.replaysSent)} replays, ${n(forged.length)} forged`,
    target: 'every request traceable',
    met:
      x.distinctJobs === x.units.length &&
      x.distinctUrls === x.units.length &&
      f.requests === x.total,
  });

  for (const c of CATEGORIES) {
    const g = f.forgedByCategory[c];
    const us = forged.filter((u) => u.category === c);
    const others = statusSummary(us.filter((u) => u.status !== 401).map((u) => u.status ?? 0));
    const e = us.map((u) => effectsOf(u, t));
    const total = (k: 'api' | 'responses' | 'calls' | 'messages' | 'redis') =>
      e.reduce((a, v) => a + v[k], 0);
    rows.push({
      tried: `${n(g.sent)} forged ${CATEGORY_TEXT[c]}`,
      happened: `${n(g.refused)} refused with 401${others ? ` (else: ${others})` : ''}; side effects: ${n(total('api'))} API requests, ${n(total('responses'))} response_url posts, ${n(total('calls'))} Slack calls and ${n(total('messages'))} messages naming their jobs, ${n(total('redis'))} Redis keys naming them (${n(g.withEffect)} requests with any effect)`,
      target: 'all refused, 0 side effects',
      met: g.sent > 0 && g.refused === g.sent && g.withEffect === 0,
    });
  }

  const kinds = ALL_KINDS.map((k) => `${n(valid.filter((u) => u.kind === k).length)} ${k}`);
  const acked = valid.filter((u) => u.statuses.every((s) => s === 200)).length;
  rows.push({
    tried: `${n(f.validSent)} valid requests (${kinds.join(', ')})`,
    happened: `${n(acked)} acked 200; ${n(f.validExactlyOnce)} with their effect exactly once: ${n(valid.filter((u) => t.responses.get(u.url) === 1).length)} answered once at their response_url, ${n(f.apiRequestsForValid)} API requests (${n(f.resumes)} resumes), ${n(f.approvalPosts)} approval requests posted to #approvals, ${n(f.subscriptions)} channel subscriptions`,
    target: 'all, each exactly once',
    met: f.validSent > 0 && f.validExactlyOnce === f.validSent && acked === f.validSent,
  });

  const replayStatuses = statusSummary(valid.flatMap((u) => (u.copies > 0 ? u.statuses : [])));
  rows.push({
    tried: `${n(f.replaysSent)} byte-identical replays of ${n(valid.filter((u) => u.copies > 0).length)} valid requests within the window (${n(f.sequentialReplays)} after the original, ${n(f.concurrentReplays)} together with it)`,
    happened: `${n(f.replaysAfterAnswer)} sent after the original's answer; answers to originals and replays: ${replayStatuses}; ${n(f.replaysDoubled)} requests with anything doubled (answer, API request, approval post, Slack message)`,
    target: '0 doubled',
    met:
      f.replaysSent > 0 && f.replaysDoubled === 0 && f.replaysAfterAnswer === f.sequentialReplays,
  });

  const expectedReasons = new Map<string, number>();
  for (const u of forged) bump(expectedReasons, EXPECTED_REASON[u.category]);
  const reasons = [...new Set([...expectedReasons.keys(), ...x.botLog.refusedByReason.keys()])]
    .sort()
    .map(
      (r) => `${r} ${n(x.botLog.refusedByReason.get(r) ?? 0)}/${n(expectedReasons.get(r) ?? 0)}`,
    );
  const reasonsMatch = [...expectedReasons.keys(), ...x.botLog.refusedByReason.keys()].every(
    (r) => (x.botLog.refusedByReason.get(r) ?? 0) === (expectedReasons.get(r) ?? 0),
  );
  rows.push({
    tried:
      "the bot's own account: refusals logged by reason, replays ignored, replay records in Redis",
    happened: `logged/sent: ${reasons.join(', ')}; replays ignored ${n(f.replaysLogged)}/${n(f.replaysSent)}; ${n(t.replayKeys)} replay records for ${n(f.validSent + 1)} valid signatures (barrier included)`,
    target: 'as sent',
    met: reasonsMatch && f.replaysLogged === f.replaysSent && t.replayKeys === f.validSent + 1,
  });

  rows.push({
    tried: `one web bot (pid ${x.bot.pid}) through ${n(x.tasks)} sends in ${(x.sendMs / 1000).toFixed(1)} s`,
    happened: `${x.botAlive ? 'still alive' : 'DEAD'}; a valid request after the storm ${x.barrierOk ? 'answered once' : 'NOT answered once'}; ${n(x.botLog.errorLines)} error-level log lines; ${n(t.apiUnattributed)} API requests naming no job`,
    target: 'alive and answering, no errors',
    met: x.botAlive && x.barrierOk && x.botLog.errorLines === 0,
  });
  return rows;
}

/** `[401, 401, 200]` → "2× 401, 1× 200" (empty for none). */
function statusSummary(statuses: number[]): string {
  const m = new Map<number, number>();
  for (const s of statuses) m.set(s, (m.get(s) ?? 0) + 1);
  return [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([s, c]) => `${n(c)}× ${s === 0 ? 'none' : s}`)
    .join(', ');
}
