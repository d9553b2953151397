import { mapConcurrent, n, type Row } from '../../lib/campaign.ts';
import { jobEvents } from '../../lib/faults-events.ts';
import type { World } from '../../lib/world.ts';
import type { ApprovalRecord } from './approvals.ts';
import { PAUSE_EVENT, type Size } from './size.ts';

/** Reads each job's events (faults off) and counts the pauses that took effect. */
export async function countEffects(
  world: World,
  key: string,
  approvals: ApprovalRecord[],
): Promise<void> {
  await mapConcurrent(approvals, 16, async (rec) => {
    const events = await jobEvents(world, key, rec.jobId);
    rec.effects = events.filter((m) => m === PAUSE_EVENT).length;
  });
}

export function approvalRows(approvals: ApprovalRecord[], size: Size): Row[] {
  const done = approvals.filter((a) => a.outcome === 'done');
  const failed = approvals.filter((a) => a.outcome === 'failed');
  const notRequested = approvals.filter((a) => a.outcome === 'not-requested');
  const unknown = approvals.filter((a) => a.outcome === 'unknown');
  const asks = approvals.reduce((s, a) => s + a.asks, 0);
  const askFailures = approvals.reduce((s, a) => s + a.askFailures, 0);
  const doneOne = done.filter((a) => a.effects === 1).length;
  const doneNone = done.filter((a) => a.effects === 0).length;
  const twice = approvals.filter((a) => a.effects >= 2);
  const failedWithEffect = [...failed, ...notRequested].filter((a) => a.effects > 0);
  const untold = approvals.filter((a) => !told(a));
  const effects = approvals.reduce((s, a) => s + a.effects, 0);
  const ex = (list: ApprovalRecord[]) =>
    list.length ? ` (e.g. ${list[0]?.jobId}: ${JSON.stringify(sample(list[0]))})` : '';
  return [
    {
      tried: `${n(size.approvals)} approvals (/ft pause, then Approve) under 30 % API faults`,
      happened: `${n(asks)} asks, ${n(askFailures)} answered with a failure and asked again; ${n(done.length)} reported done, ${n(failed.length)} reported failed, ${n(notRequested.length)} never requested after 3 asks, ${n(unknown.length)} unclear; ${n(effects)} pause effects in all; done with exactly one effect: ${n(doneOne)} of ${n(done.length)}, with none: ${n(doneNone)}${ex(done.filter((a) => a.effects !== 1))}`,
      target: 'every approval reported done paused its job exactly once; ≥ 90 % reported done',
      met:
        done.length > 0 &&
        doneOne === done.length &&
        unknown.length === 0 &&
        done.length >= Math.floor(size.approvals * 0.9),
    },
    {
      tried: 'pause effects per job, from the emulator (job events)',
      happened: `${n(twice.length)} jobs paused twice or more${ex(twice)}`,
      target: '0 approvals with two effects',
      met: twice.length === 0,
    },
    {
      tried: 'approvals reported failed (or never requested) checked for an effect',
      happened: `${n(failed.length + notRequested.length)} reported failed or not requested; ${n(failedWithEffect.length)} of them paused the job anyway${ex(failedWithEffect)}`,
      target: '0 approvals reported failed that had an effect',
      met: failedWithEffect.length === 0,
    },
    {
      tried:
        'what each requester and approver was told: response_url answers, the thread reply, the approval message',
      happened: `${n(approvals.length - untold.length)} of ${n(approvals.length)} approvals told everyone a clear outcome; ${n(untold.length)} left someone untold or told something unclear or contradictory${ex(untold)}`,
      target: '0 users never told the outcome',
      met: untold.length === 0,
    },
  ];
}

/** True when everyone involved heard an outcome that is clear and agrees with the others. */
function told(a: ApprovalRecord): boolean {
  if (a.requesterAnswers.length !== a.asks) return false;
  if (!a.requesterAnswers.every(clear)) return false;
  if (a.outcome === 'not-requested') return true;
  if (a.outcome === 'unknown' || !a.approverAnswer || !a.threadReply) return false;
  if (!clear(a.approverAnswer) || !clear(a.threadReply) || !a.messageClosed) return false;
  const replyFailed = a.threadReply.includes('but it failed');
  return a.outcome === 'failed'
    ? replyFailed
    : a.threadReply.includes('was approved by') && !replyFailed;
}

/** Fit for a person: not empty, no stack trace, no `[object Object]`, no `undefined`. */
function clear(text: string): boolean {
  return (
    text.trim().length > 0 &&
    !/\n\s+at |\bat [\w.<>]+ \(|\[object Object\]|\bundefined\b|\bNaN\b/.test(text)
  );
}

function sample(a: ApprovalRecord | undefined): Record<string, unknown> {
  if (!a) return {};
  return {
    outcome: a.outcome,
    effects: a.effects,
    asks: a.asks,
    requester: a.requesterAnswers.map((t) => t.slice(0, 160)),
    approver: a.approverAnswer?.slice(0, 160),
    thread: a.threadReply?.slice(0, 160),
    closed: a.messageClosed,
  };
}

export function announcedRow(done: ApprovalRecord[], cards: (jobId: string) => number): Row {
  const counts = done.map((a) => cards(a.jobId));
  const lost = counts.filter((c) => c === 0).length;
  const twice = counts.filter((c) => c > 1).length;
  return {
    tried: `the poller announcing the ${n(done.length)} approved pauses in the asking channel`,
    happened: `${n(counts.filter((c) => c === 1).length)} announced once, ${n(lost)} never, ${n(twice)} more than once`,
    target: 'each announced exactly once',
    met: done.length > 0 && lost === 0 && twice === 0,
  };
}
