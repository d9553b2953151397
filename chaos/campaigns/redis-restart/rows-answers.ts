// Rows 1–5 of the report: the answers to commands and the click during the outage, how soon
// processing came back, and the answers before, after and across its edges.
import { n, type Row } from '../../lib/campaign.ts';
import { clickText } from './approval.ts';
import { ACK_LIMIT_MS, RECOVERY_LIMIT_MS, type Sent, UNAVAILABLE, type Verdict } from './plan.ts';
import type { Figures } from './rows.ts';

export function answerRows(f: Figures): Row[] {
  const { w, sent, setup, setupOk, changes, outageClick, outageReady, pausesBeforeApproval } = f;
  const { stopAt, downAt, restartAt, backAt } = f.times;
  const { verdict, answeredAt } = f.answers;
  const rows: Row[] = [];
  const by = (pred: (s: Sent) => boolean) => sent.filter(pred);
  const count = (list: Sent[], v: Verdict) => list.filter((s) => verdict(s) === v).length;

  // 1. During the outage: clear answer, at once.
  const outage = by((s) => s.phaseAtSend === 'down' && s.phaseAtAck === 'down');
  const outageClear = outage.filter(
    (s) =>
      verdict(s) === 'unavailable' &&
      s.ack?.status === 200 &&
      (s.ackAt ?? Infinity) - s.sentAt <= ACK_LIMIT_MS,
  );
  const slowest = Math.max(0, ...outage.map((s) => (s.ackAt ?? Infinity) - s.sentAt));
  rows.push({
    tried: `${n(outage.length)} signed /ft status commands sent and acked while Redis was down (${n(downAt - stopAt)} ms to stop, ${n(backAt - downAt)} ms down)`,
    happened: `${n(outageClear.length)} acked 200 with "temporarily unavailable" within 3 s (slowest ${n(Math.round(slowest))} ms); ${n(count(outage, 'other'))} other answers, ${n(count(outage, 'silent'))} silent, ${n(outage.filter((s) => s.failed).length)} unacked`,
    target: 'every one: HTTP 200 within 3 s with the clear "temporarily unavailable" text',
    met: outage.length >= 5 && outageClear.length === outage.length,
  });

  // 2. The approver's click during the outage, and readiness.
  const outageClickText = outageClick ? clickText(w, outageClick) : undefined;
  rows.push({
    tried: 'an Approve click and GET /readyz while Redis was down',
    happened: `click: ${outageClickText === undefined ? 'no answer' : outageClickText.includes(UNAVAILABLE) ? `"temporarily unavailable" (HTTP ${outageClick?.ack.status})` : `other: ${outageClickText.slice(0, 120)}`}; /readyz ${outageReady.status} (redis ${outageReady.redisOk ? 'ok' : 'not ok'}); pause calls right after Redis came back: ${n(pausesBeforeApproval)}`,
    target:
      'click answered "temporarily unavailable" and never counted later (0 pause calls); /readyz 503',
    met:
      outageClickText?.includes(UNAVAILABLE) === true &&
      pausesBeforeApproval === 0 &&
      outageReady.status === 503 &&
      !outageReady.redisOk,
  });

  // 3. Recovery: first command answered normally, first announcement, after Redis is back.
  const afterBack = by((s) => s.sentAt >= backAt);
  const firstNormal = Math.min(
    ...afterBack.filter((s) => verdict(s) === 'normal').map((s) => s.sentAt),
  );
  const duringChanges = changes.filter((c) => c.phase === 'during');
  const firstAnnouncement = Math.min(
    ...duringChanges.flatMap((c) => [...c.seen.values()]).filter((t) => t >= backAt),
  );
  const lastDuring = Math.max(...duringChanges.flatMap((c) => [...c.seen.values()]));
  const cmdRecovery = firstNormal - backAt;
  const annRecovery = firstAnnouncement - backAt;
  rows.push({
    tried: `Redis back (ready after ${n(backAt - restartAt)} ms); ${n(afterBack.length)} commands sent afterwards, ${n(duringChanges.length)} changes made during the outage`,
    happened: `first command sent after it answered normally ${fmtMs(cmdRecovery)} after; first announcement of an outage change ${fmtMs(annRecovery)} after, the last ${fmtMs(lastDuring - backAt)} after`,
    target: 'commands and announcements back within 10 s of Redis',
    met:
      Number.isFinite(cmdRecovery) &&
      cmdRecovery <= RECOVERY_LIMIT_MS &&
      Number.isFinite(annRecovery) &&
      annRecovery <= RECOVERY_LIMIT_MS,
  });

  // 4. After Redis is back: answers, and only the clear text in the first seconds.
  const lateUnavailable = afterBack.filter(
    (s) => verdict(s) === 'unavailable' && s.sentAt - backAt > RECOVERY_LIMIT_MS,
  );
  rows.push({
    tried: `${n(afterBack.length)} commands sent after Redis was back`,
    happened: `${n(count(afterBack, 'normal'))} answered with the job card, ${n(count(afterBack, 'unavailable'))} "temporarily unavailable" (${n(lateUnavailable.length)} of them later than 10 s), ${n(count(afterBack, 'other'))} other, ${n(count(afterBack, 'silent'))} silent`,
    target: 'every one answered; "unavailable" only in the first 10 s; no other error',
    met:
      afterBack.length > 0 &&
      count(afterBack, 'silent') === 0 &&
      count(afterBack, 'other') === 0 &&
      lateUnavailable.length === 0,
  });

  // 5. Commands from before the outage (and around its edges) kept their answers.
  const early = by((s) => s.phaseAtSend === 'before');
  const earlyDone = early.filter((s) => (answeredAt(s) ?? Infinity) < stopAt);
  const edges = sent.filter(
    (s) =>
      s.phaseAtSend === 'stopping' ||
      s.phaseAtSend === 'starting' ||
      s.phaseAtAck !== s.phaseAtSend,
  );
  rows.push({
    tried: `${n(setup.length)} set-up commands (watches, a pause) and ${n(early.length)} status commands sent before the outage; ${n(edges.length)} across its edges`,
    happened: `set-up: ${n(setupOk)} answered normally; before: ${n(count(early, 'normal'))} normal, ${n(count(early, 'unavailable'))} unavailable (${n(early.length - earlyDone.length)} not answered yet at the stop), ${n(count(early, 'other'))} other, ${n(count(early, 'silent'))} silent; edges: ${n(count(edges, 'silent'))} silent, ${n(count(edges, 'other'))} other`,
    target: 'every one answered; the ones finished before the stop normally',
    met:
      setupOk === setup.length &&
      early.length > 0 &&
      count(early, 'silent') + count(early, 'other') === 0 &&
      earlyDone.every((s) => verdict(s) === 'normal') &&
      count(edges, 'silent') + count(edges, 'other') === 0,
  });
  return rows;
}

function fmtMs(ms: number): string {
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : 'never';
}
