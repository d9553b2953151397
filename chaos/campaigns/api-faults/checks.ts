import { type FaultKind, FaultPlan } from '../../../src/emulators/fine-tuning/faults.ts';
import type { BotProcess } from '../../lib/bot-process.ts';
import { n, type Row } from '../../lib/campaign.ts';
import type { Answer, World } from '../../lib/world.ts';
import type { ApprovalRecord } from './approvals.ts';
import { FAULT_RATE, FULL, KINDS, RETRY_AFTER_MS, type Size } from './size.ts';

/** The faults really injected, every ack in time, and nothing unfit shown or logged. */
export function faultRow(
  requests: World['ft']['requests'],
  config: { rate: number; kinds: FaultKind[]; retryAfterMs: number; seed: number },
  size: Size,
): Row {
  // The plan is seeded: replaying it gives the fault of each logged request, which the log's
  // statuses must bear out (a malformed body is logged as a 200, so only the replay tells it).
  const plan = new FaultPlan();
  plan.set(config);
  const counts = { '429': 0, '500': 0, timeout: 0, malformed: 0 };
  let afterEffect = 0;
  let disagree = 0;
  for (const r of requests) {
    const kind = plan.next();
    const expected =
      kind === '429'
        ? 429
        : kind === '500' || kind === '500-after-effect'
          ? 500
          : kind === 'timeout'
            ? 0
            : kind === 'malformed'
              ? 200
              : undefined;
    if (kind === null) {
      if (r.status === 0 || r.status === 429 || r.status >= 500) disagree++;
    } else if (r.status !== expected) disagree++;
    if (kind === '500-after-effect') afterEffect++;
    if (kind === '429') counts['429']++;
    else if (kind === '500' || kind === '500-after-effect') counts['500']++;
    else if (kind === 'timeout') counts.timeout++;
    else if (kind === 'malformed') counts.malformed++;
  }
  const total = requests.length;
  const faulted = Object.values(counts).reduce((a, b) => a + b, 0);
  const share = total ? faulted / total : 0;
  // Four standard deviations of a binomial share, at least two points.
  const tolerance = Math.max(
    0.02,
    4 * Math.sqrt((FAULT_RATE * (1 - FAULT_RATE)) / Math.max(1, total)),
  );
  // A short run makes ~100 requests, too few to be sure of all five kinds; it needs three.
  const perKind = [counts['429'], counts['500'] - afterEffect, afterEffect, counts.timeout];
  const kindsSeen = [...perKind, counts.malformed].filter((c) => c > 0).length;
  const kindsNeeded = size === FULL ? KINDS.length : 3;
  return {
    tried: `faults injected into every fine-tuning API request (rate 30 %, kinds ${KINDS.join(', ')}, 429s with retry-after-ms ${RETRY_AFTER_MS})`,
    happened: `${n(total)} requests, ${n(faulted)} faulted (${(share * 100).toFixed(1)} %): 429 ${n(counts['429'])}, 500 ${n(counts['500'])} (${n(afterEffect)} after the effect), timeout ${n(counts.timeout)}, malformed ${n(counts.malformed)}; ${n(disagree)} logged statuses disagree with the plan`,
    target: `30 % ± ${(tolerance * 100).toFixed(1)} points, ≥ ${kindsNeeded} of the 5 kinds seen, log and plan agree`,
    met:
      total >= (size.approvals * 3) / 2 &&
      Math.abs(share - FAULT_RATE) <= tolerance &&
      kindsSeen >= kindsNeeded &&
      disagree === 0,
  };
}

export function ackRow(approvals: ApprovalRecord[], watchAcks: Answer[]): Row {
  const acks = [...approvals.flatMap((a) => a.acks), ...watchAcks];
  const bad = acks.filter((a) => a.status !== 200 || a.ms > 3000);
  const slowest = acks.reduce((m, a) => Math.max(m, a.ms), 0);
  return {
    tried: `${n(acks.length)} signed commands and clicks while the API misbehaves`,
    happened: `${n(acks.length - bad.length)} acked 200 within 3 s (slowest ${Math.round(slowest)} ms); ${n(bad.length)} not`,
    target: 'every one acked within 3 s',
    met: acks.length > 0 && bad.length === 0,
  };
}

export function hygieneRow(world: World, bot: BotProcess): Row {
  const bodies = [
    ...world.slack.responses.map((r) => JSON.stringify(r.body)),
    ...world.slack.calls.map((c) => JSON.stringify(c.args)),
  ];
  const badBodies = bodies.filter((b) => /\\n\s+at |\[object Object\]/.test(b));
  // pino puts an empty "stack" on a plain object under `err`; a trace has text in it.
  const badLines = bot.lines.filter((l) => /"stack":"[^"]|\\n\s+at |\[object Object\]/.test(l));
  const ex = badLines[0] ?? badBodies[0];
  return {
    tried: `${n(bodies.length)} bodies sent to Slack and ${n(bot.lines.length)} log lines`,
    happened: `${n(badBodies.length)} bodies and ${n(badLines.length)} log lines with a stack trace or [object Object]${ex ? ` (e.g. ${ex.slice(0, 200)})` : ''}`,
    target: '0',
    met: badBodies.length === 0 && badLines.length === 0,
  };
}
