import type { BotLog } from './bot-log.ts';
import { API_PER_KIND, CATEGORIES, type Category, MESSAGES_PER_KIND } from './kinds.ts';
import type { ForgedUnit, Unit, ValidUnit } from './plan.ts';
import type { Trace } from './trace.ts';

/** Figures the short test checks besides the rows. */
export interface AuthenticityFigures {
  requests: number;
  validSent: number;
  validExactlyOnce: number;
  forgedByCategory: Record<Category, { sent: number; refused: number; withEffect: number }>;
  replaysSent: number;
  sequentialReplays: number;
  concurrentReplays: number;
  replaysAfterAnswer: number;
  replaysDoubled: number;
  replaysLogged: number;
  apiRequestsForValid: number;
  approvalPosts: number;
  subscriptions: number;
  resumes: number;
  botAlive: boolean;
}

/** Every trace one request's job or response_url left. */
export function effectsOf(u: Unit, t: Trace) {
  return {
    api: t.api.get(u.job) ?? 0,
    apiPosts: t.apiPosts.get(u.job) ?? 0,
    responses: t.responses.get(u.url) ?? 0,
    calls: t.calls.get(u.job) ?? 0,
    approvalPosts: t.approvalPosts.get(u.job) ?? 0,
    messages: t.messages.get(u.job) ?? 0,
    redis: t.redis.get(u.job) ?? 0,
    approvalHashes: t.approvalHashes.get(u.job) ?? 0,
    watched: t.watched.has(u.job),
  };
}

function anyEffect(e: ReturnType<typeof effectsOf>): boolean {
  return e.api + e.responses + e.calls + e.messages + e.redis > 0 || e.watched;
}

/** A valid request's effect happened exactly once (and the one it asked for). */
function exactlyOnce(u: ValidUnit, t: Trace): boolean {
  const e = effectsOf(u, t);
  const pause = u.kind === 'pause';
  const watch = u.kind === 'watch' || u.kind === 'watch-button' || u.kind === 'resume';
  return (
    u.statuses.every((s) => s === 200) &&
    e.responses === 1 &&
    (t.answerText.get(u.url) ?? '').includes(u.job) &&
    e.api === API_PER_KIND[u.kind] &&
    e.apiPosts === (u.kind === 'resume' ? 1 : 0) &&
    e.approvalPosts === (pause ? 1 : 0) &&
    e.approvalHashes === (pause ? 1 : 0) &&
    e.messages === MESSAGES_PER_KIND[u.kind] &&
    e.watched === watch
  );
}

/** A replayed request's effects went beyond one. */
function doubled(u: ValidUnit, t: Trace): boolean {
  const e = effectsOf(u, t);
  return (
    e.responses > 1 ||
    e.api > API_PER_KIND[u.kind] ||
    e.apiPosts > 1 ||
    e.approvalPosts > 1 ||
    e.approvalHashes > 1 ||
    e.messages > MESSAGES_PER_KIND[u.kind]
  );
}

export function evaluate(input: {
  valid: ValidUnit[];
  forged: ForgedUnit[];
  trace: Trace;
  botLog: BotLog;
  botAlive: boolean;
}): AuthenticityFigures {
  const { valid, forged, trace: t } = input;
  const replayed = valid.filter((u) => u.copies > 0);
  const byCategory = Object.fromEntries(
    CATEGORIES.map((c) => {
      const us = forged.filter((u) => u.category === c);
      return [
        c,
        {
          sent: us.length,
          refused: us.filter((u) => u.status === 401).length,
          withEffect: us.filter((u) => anyEffect(effectsOf(u, t))).length,
        },
      ];
    }),
  ) as AuthenticityFigures['forgedByCategory'];
  const sum = (us: ValidUnit[], f: (u: ValidUnit) => number) => us.reduce((a, u) => a + f(u), 0);
  return {
    requests: valid.length + forged.length + sum(valid, (u) => u.copies),
    validSent: valid.length,
    validExactlyOnce: valid.filter((u) => exactlyOnce(u, t)).length,
    forgedByCategory: byCategory,
    replaysSent: sum(replayed, (u) => u.copies),
    sequentialReplays: sum(
      replayed.filter((u) => u.mode === 'sequential'),
      (u) => u.copies,
    ),
    concurrentReplays: sum(
      replayed.filter((u) => u.mode === 'concurrent'),
      (u) => u.copies,
    ),
    replaysAfterAnswer: sum(replayed, (u) => u.afterAnswer),
    replaysDoubled: replayed.filter((u) => doubled(u, t)).length,
    replaysLogged: input.botLog.replaysIgnored,
    apiRequestsForValid: sum(valid, (u) => t.api.get(u.job) ?? 0),
    approvalPosts: sum(valid, (u) => t.approvalPosts.get(u.job) ?? 0),
    subscriptions: valid.filter((u) => t.watched.has(u.job)).length,
    resumes: sum(valid, (u) => t.apiPosts.get(u.job) ?? 0),
    botAlive: input.botAlive,
  };
}
