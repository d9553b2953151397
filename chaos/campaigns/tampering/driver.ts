// The clicks, one at a time, so everything that changes between a click and its answer belongs
// to that click; the pools of genuine state are refilled between clicks.
import { buttonsOf } from '../../../src/emulators/slack/inspect.ts';
import { APPROVE_REQUEST } from '../../../src/views/action-ids.ts';
import { n, waitUntil } from '../../lib/campaign.ts';
import { APPROVALS } from '../../lib/world.ts';
import {
  ANSWER_TIMEOUT_MS,
  type Counters,
  KINDS,
  type Kind,
  type Tally,
  tally,
  USERS,
} from './plan.ts';
import { rewriteClick } from './rewrite-click.ts';
import { type Rewritten, rewriteSubmission } from './rewrite-submission.ts';
import type { Setup } from './setup.ts';
import { diff, hashOf, modalOf, snapshot } from './snapshot.ts';
import { judge } from './verdicts.ts';

export async function clickAll(
  s: Setup,
  total: number,
  log: (line: string) => void,
): Promise<{ tallies: Record<Kind, Tally>; counters: Counters }> {
  const { world, bot, foreign, running, paused, requests, refs, usedRefs } = s;
  const { random, choose } = s.draws;
  const slack = world.slack;
  const ft = world.ft;
  const tallies = Object.fromEntries(KINDS.map((k) => [k, tally()])) as Record<Kind, Tally>;
  const counters: Counters = {
    foreignClicks: 0,
    outsiderOrSelfClicks: 0,
    badDecisions: 0,
    maxAckMs: 0,
    setupCalls: { requests: 0, modals: 0 },
  };
  const { setupCalls } = counters;

  for (let index = 0; index < total; index++) {
    // Keep something to act on: pending requests, open modals, jobs in a state to act on.
    if (index % 25 === 24) {
      for (const id of running)
        if (ft.getJob(id)?.status !== 'running') ft.setStatus(id, 'running');
      for (const id of paused) if (ft.getJob(id)?.status !== 'paused') ft.setStatus(id, 'paused');
    }
    const pendingNow = await world.redis.zcard(world.keys.approvalsPending());
    if (pendingNow < 4) {
      await s.makeRequest();
      setupCalls.requests++;
    }
    for (const user of USERS)
      if (refs.filter((r) => r.user === user).length < 2) {
        await s.openModal(user);
        setupCalls.modals++;
      }

    const kind = KINDS[index % KINDS.length] as Kind;
    const t = tallies[kind];
    const user = choose(USERS);
    const rewritten: Rewritten =
      kind === 'metadata' || (kind === 'response_url' && random() < 0.2)
        ? rewriteSubmission(s, kind, user, index, counters)
        : await rewriteClick(s, kind, user, counters);
    const { variant, own, body, expectAnswerAt } = rewritten;
    t.clicks++;
    t.variants.add(variant);

    // The click, alone, and what changed while it was handled.
    const before = await snapshot(world);
    const apiMark = ft.requests.length;
    const callMark = slack.calls.length;
    const responseMark = slack.responses.length;
    const foreignMark = foreign.received.length;
    const progressMark = s.progress(user);
    const viewsMark = slack.callsTo('views.open').length;
    const ack = await world.signed(bot, body);
    counters.maxAckMs = Math.max(counters.maxAckMs, ack.ms);
    if (ack.status !== 200) t.non200++;
    const answered = await waitUntil(() => s.progress(user) > progressMark, ANSWER_TIMEOUT_MS, 5);
    if (!answered) t.unanswered++;
    const after = await snapshot(world);

    const { problems, acted } = judge(
      s,
      { kind, user, own, expectAnswerAt },
      before,
      after,
      { apiMark, callMark, responseMark, foreignMark },
      t,
      counters,
    );

    // Bookkeeping for the pools and the figures.
    if (own.type === 'modal') {
      const m = modalOf(before, own.ref);
      if (m && m.user === user && !after.has(`modal:${own.ref}`)) {
        usedRefs.push(own.ref);
        const i = refs.findIndex((r) => r.id === own.ref);
        if (i >= 0) refs.splice(i, 1);
      }
    }
    for (const key of after.keys()) {
      const m = /^approval:([^:]+)$/.exec(key);
      if (m && !before.has(key)) t.requestsMade++;
    }
    for (const key of diff(before, after).map((d) => d.key))
      if (key.startsWith('subs:')) {
        t.watches++;
        break;
      }
    s.noteNewRefs(viewsMark, user);
    // New requests made by submissions join the pool of genuine requests.
    for (const call of slack.calls.slice(callMark))
      if (call.method === 'chat.postMessage' && call.args.channel === APPROVALS) {
        const blocks = (call.args.blocks ?? []) as unknown[];
        const btns = buttonsOf(blocks);
        const id = btns.find((b) => b.actionId === APPROVE_REQUEST)?.value;
        const h = id ? hashOf(after, `approval:${id}`) : undefined;
        const msg = (slack.messages.get(APPROVALS) ?? []).find((m) =>
          buttonsOf(m.blocks).some((b) => b.value === id),
        );
        if (id && h && msg && !requests.some((r) => r.id === id))
          requests.push({
            id,
            jobId: h.jobId ?? '',
            requester: h.requester ?? '',
            ts: msg.ts,
            text: msg.text,
            blocks: msg.blocks ?? [],
            buttons: btns,
          });
      }

    if (problems.length > 0) {
      t.violations++;
      if (t.examples.length < 3)
        t.examples.push(`#${index} ${variant}: ${problems.slice(0, 2).join('; ')}`);
    } else if (acted) t.acted++;
    else t.quiet++;
    if (index % 100 === 99) log(`${n(index + 1)} of ${n(total)} clicks sent`);
  }
  return { tallies, counters };
}
