// The report: one row per rewritten field, then the foreign host, the approval policy and the
// bot itself, with the raw figures the short test checks besides the rows.
import { type CampaignResult, n, type Row } from '../../lib/campaign.ts';
import { type Counters, KIND_LABEL, KINDS, type Kind, type Tally } from './plan.ts';
import type { Setup } from './setup.ts';
import { snapshot, subjectsOf } from './snapshot.ts';

/** What the campaign observed, for its short test to check beyond the rows. */
export interface TamperingFigures {
  clicks: number;
  byKind: Record<Kind, Omit<Tally, 'variants' | 'examples'> & { variants: string[] }>;
  foreignClicks: number;
  foreignReceived: number;
  foreignRefused: number;
  outsiderOrSelfClicks: number;
  decisions: number;
  badDecisions: number;
  apiCalls: number;
  requestsMade: number;
  strayKeys: number;
  botAlive: boolean;
}

export async function report(
  setup: Setup,
  run: {
    tallies: Record<Kind, Tally>;
    counters: Counters;
    total: number;
    started: number;
    notes: string[];
  },
): Promise<{ result: CampaignResult; figures: TamperingFigures }> {
  const { world, bot, foreign } = setup;
  const slack = world.slack;
  const { tallies, total, started, notes } = run;
  const { foreignClicks, outsiderOrSelfClicks, badDecisions, maxAckMs, setupCalls } = run.counters;
  // Anything in Redis nobody can account for (a key no subject rule knows).
  const finalSnap = await snapshot(world);
  const strayKeys = [...finalSnap.keys()].filter((k) =>
    subjectsOf(k, '').every((s) => s.startsWith('key:')),
  );

  const alive = bot.alive();
  const errorLines = bot.lines.filter((l) => l.includes('unexpected error in a Slack handler'));
  const leaks = [
    ...bot.lines,
    ...slack.responses.map((r) => JSON.stringify(r.body)),
    ...slack.calls.map((c) => JSON.stringify(c.args)),
    // A non-empty "stack" field or a trace's "    at f (file:1:2)" line; pino writes an
    // empty "stack" for plain error objects, which carries nothing.
  ].filter((s) => /\[object Object\]|"stack":"[^"]|(\n|\\n)\s+at \S/.test(s));
  const refusedForeign = bot.lines.filter((l) => l.includes('response_url is not on Slack')).length;

  const rows: Row[] = KINDS.map((kind) => {
    const t = tallies[kind];
    const effects = [
      t.decisions ? `${n(t.decisions)} decisions` : '',
      t.apiCalls ? `${n(t.apiCalls)} API calls` : '',
      t.requestsMade ? `${n(t.requestsMade)} requests made` : '',
      t.modalsOpened ? `${n(t.modalsOpened)} modals opened` : '',
      t.watches ? `${n(t.watches)} (un)watches` : '',
    ].filter(Boolean);
    const elsewhere =
      kind === 'response_url'
        ? `; ${n(t.slackHostedElsewhere)} answers went to the rewritten Slack-hosted URL (Slack's own URLs cannot be told apart)`
        : '';
    return {
      tried: `${n(t.clicks)} clicks with the ${KIND_LABEL[kind]} rewritten (${[...t.variants].join(', ')})`,
      happened:
        `${n(t.quiet)} refused or answered without a change, ${n(t.acted)} acted on their own target` +
        `${effects.length ? ` (${effects.join(', ')})` : ''}; ${n(t.violations)} acted on something else` +
        `${t.examples.length ? ` [${t.examples.join(' | ')}]` : ''}; ${n(t.non200)} not acked 200, ${n(t.unanswered)} unanswered${elsewhere}`,
      target: "0 actions on anything but the click's own state; every click acked 200",
      met: t.clicks > 0 && t.violations === 0 && t.non200 === 0 && t.unanswered === 0,
    };
  });
  rows.push({
    tried: `${n(foreignClicks)} clicks and submissions with a response_url on a host that is not Slack (${foreign.url}, localhost, Slack's origin as userinfo)`,
    happened: `the listener received ${n(foreign.received.length)} requests; the bot refused ${n(refusedForeign)} requests for their response_url`,
    target: '0 requests reach a host that is not Slack',
    met: foreignClicks > 0 && foreign.received.length === 0,
  });
  const sum = (f: (t: Tally) => number) => KINDS.reduce((s, k) => s + f(tallies[k]), 0);
  const decisions = sum((t) => t.decisions);
  const apiCalls = sum((t) => t.apiCalls);
  const made = sum((t) => t.requestsMade);
  rows.push({
    tried: `${n(outsiderOrSelfClicks)} clicks on requests by outsiders or by the request's own requester; clicks by approvers on others' requests`,
    happened: `${n(badDecisions)} decisions by outsiders or requesters; ${n(decisions)} decisions allowed by policy, ${n(apiCalls)} API calls on the click's own target, ${n(made)} requests made from the submitter's own modal`,
    target: 'outsiders and requesters never decide; legitimate clicks still act',
    met:
      outsiderOrSelfClicks > 0 && badDecisions === 0 && decisions > 0 && apiCalls > 0 && made > 0,
  });
  rows.push({
    tried: `one web bot through ${n(total)} tampered clicks (plus ${n(setupCalls.requests)} requests and ${n(setupCalls.modals)} modals made between them)`,
    happened: `${alive ? 'alive' : 'DEAD'}; slowest ack ${Math.round(maxAckMs)} ms; ${n(errorLines.length)} unexpected-error log lines; ${n(leaks.length)} stack traces or [object Object] in logs and answers${leaks.length ? ` (${leaks[0]?.slice(0, 300)})` : ''}; ${n(strayKeys.length)} unaccounted Redis keys${strayKeys.length ? ` (${strayKeys.slice(0, 3).join(', ')})` : ''}`,
    target: 'no crash',
    met: alive && errorLines.length === 0 && leaks.length === 0 && strayKeys.length === 0,
  });
  notes.push(
    'Fault found and fixed: a signed click or command whose response_url named any host had its answer (job details) POSTed there, and the action still ran. ftops now acks and drops such a request before any listener runs, answering only https://hooks.slack.com or the origin of SLACK_API_URL (src/bot/response-url.ts; regression test test/bot/response-url.test.ts).',
    "Not a fault: a response_url rewritten to another Slack-hosted URL (another channel's or user's) gets the click's answer, since Slack's response URLs are opaque and cannot be matched to a channel; the action itself still follows only the click's own state.",
  );
  const byKind = Object.fromEntries(
    KINDS.map((k) => {
      const { variants, examples: _examples, ...rest } = tallies[k];
      return [k, { ...rest, variants: [...variants] }];
    }),
  ) as TamperingFigures['byKind'];
  return {
    result: {
      name: 'tampering',
      title: '3. Tampering',
      rows,
      durationMs: Date.now() - started,
      notes,
    },
    figures: {
      clicks: total,
      byKind,
      foreignClicks,
      foreignReceived: foreign.received.length,
      foreignRefused: refusedForeign,
      outsiderOrSelfClicks,
      decisions,
      badDecisions,
      apiCalls,
      requestsMade: made,
      strayKeys: strayKeys.length,
      botAlive: alive,
    },
  };
}
