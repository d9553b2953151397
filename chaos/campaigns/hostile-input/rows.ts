// The report: what the bot lived through, how fast it answered, whether input had effects, and
// whether any mention, stack trace or off-route API request got out.
import type { BotProcess } from '../../lib/bot-process.ts';
import { n, type Row } from '../../lib/campaign.ts';
import { APPROVALS, type World } from '../../lib/world.ts';
import { MARK } from './inputs.ts';
import type { Case } from './plan.ts';
import type { Sent } from './send.ts';
import type { Harvest } from './setup.ts';
import { foreignMentions, OBJECT, routeOk, STACK } from './verdicts.ts';

export function hostileRows(
  world: World,
  bot: BotProcess,
  sent: Sent[],
  harvest: Harvest,
  run: { total: number; concurrency: number; seed: number; alive: boolean; health: number },
): { rows: Row[]; errorLines: string[] } {
  const { total, concurrency, alive, health } = run;
  // Acks.
  const ms = sent.map((s) => s.answer.ms).sort((a, b) => a - b);
  const late = sent.filter((s) => s.answer.ms > 3_000 || s.answer.status === 0);
  const statuses = new Map<number, number>();
  for (const s of sent) statuses.set(s.answer.status, (statuses.get(s.answer.status) ?? 0) + 1);
  const fiveXX = sent.filter((s) => s.answer.status >= 500).length;
  const refused = sent.filter((s) => s.answer.status === 401).length;
  const replays = bot.lines.filter((l) => l.includes('ignored a replayed Slack request')).length;
  const byKind = (k: Case['kind']) => sent.filter((s) => s.kind === k).length;

  // Effects: answers through response_url, messages, modals, API requests.
  const ourUrls = new Set(sent.flatMap((s) => (s.responseUrl ? [s.responseUrl] : [])));
  const answeredUrls = new Set(
    world.slack.responses.filter((r) => ourUrls.has(r.url)).map((r) => r.url),
  );
  const commandsSent = sent.filter((s) => s.kind === 'command' && s.responseUrl);
  const commandsAnswered = commandsSent.filter((s) => answeredUrls.has(s.responseUrl as string));
  const approvalPosts = (world.slack.messages.get(APPROVALS) ?? []).filter((m) => !m.ephemeral);
  const modals = world.slack.callsTo('views.open').length;
  const apiRequests = world.ft.requests;
  const mutatingApi = apiRequests.filter((r) => r.method === 'POST').length;

  // Mentions from input in anything sent to Slack.
  // trigger_id is an opaque token handed back to Slack, never shown, so it is left out.
  const shownText = (v: unknown) =>
    JSON.stringify(v, (k, x) => (k === 'trigger_id' ? undefined : x));
  const bodies: Array<{ where: string; text: string }> = [];
  for (const c of world.slack.calls)
    bodies.push({ where: `calls ${c.method}`, text: shownText(c.args) });
  for (const r of world.slack.responses)
    bodies.push({ where: 'response_url', text: shownText(r.body) });
  for (const [ch, msgs] of world.slack.messages)
    for (const m of msgs) bodies.push({ where: `message in ${ch}`, text: shownText(m) });
  for (const v of world.slack.views.values()) bodies.push({ where: 'view', text: shownText(v) });
  const mentionHits: string[] = [];
  for (const b of bodies)
    for (const hit of foreignMentions(b.text)) mentionHits.push(`${b.where}: ${hit.slice(0, 80)}`);
  // Input only: MARK is upper case (job ids carry it in lower case) and the bot itself never
  // writes a broadcast keyword, escaped or not; plain 'channel' is in every chat.* call.
  const taintedInput = bodies.filter(
    (b) => b.text.includes(MARK) || /!(?:channel|here|everyone)\b/.test(b.text),
  );

  // Stack traces and [object Object] in anything a user or Slack sees.
  const shown = [...bodies.map((b) => b.text), ...sent.map((s) => s.answer.body)];
  const stackShownAll = shown.filter((t) => STACK.test(t) || OBJECT.test(t));
  const stackShown = stackShownAll.length;
  const errorLines = bot.lines.filter((l) => /"level":(50|60)/.test(l));
  const stackLogged = bot.lines.filter((l) => STACK.test(l) || OBJECT.test(l)).length;

  // API requests off the job-ID routes.
  const offRoute = apiRequests.filter((r) => !routeOk(r));

  const rows: Row[] = [
    {
      tried: `${n(total)} seeded cases (seed ${run.seed}): ${n(byKind('command'))} /ft commands, ${n(byKind('action'))} block_actions, ${n(byKind('view'))} view_submissions, ${n(byKind('raw'))} malformed bodies`,
      happened: `bot ${alive ? 'still running' : 'EXITED'}, /healthz ${health}; ${n(errorLines.length)} error-level log lines`,
      target: 'no crash: the process lives and /healthz answers 200',
      met: alive && health === 200,
    },
    {
      tried: 'every case signed exactly as Slack signs, with a fresh signature',
      happened: `${n(refused)} refused as unsigned (401), ${n(replays)} taken for replays`,
      target: 'every case passes verification and reaches Bolt',
      met: refused === 0 && replays === 0,
    },
    {
      tried: `${n(total)} requests, ${concurrency} at a time`,
      happened: `p50 ${percentile(ms, 50).toFixed(0)} ms, p99 ${percentile(ms, 99).toFixed(0)} ms, max ${(ms.at(-1) ?? 0).toFixed(0)} ms; ${n(late.length)} over 3 s or unanswered; statuses ${[
        ...statuses,
      ]
        .sort((a, b) => a[0] - b[0])
        .map(([s, k]) => `${s}×${n(k)}`)
        .join(', ')}`,
      target: 'every request answered within 3 s, none with a 5xx',
      met: late.length === 0 && fiveXX === 0,
    },
    {
      tried: 'the cases that should have had an effect',
      happened: `${n(commandsAnswered.length)} of ${n(commandsSent.length)} /ft commands answered through response_url; ${n(answeredUrls.size - commandsAnswered.length)} clicks answered; ${n(approvalPosts.length)} approval requests posted; ${n(modals)} modals opened; ${n(apiRequests.length)} API requests (${n(mutatingApi)} POST)`,
      target:
        'input reached the handlers: most commands answered, some requests, modals and API calls',
      met:
        commandsAnswered.length >= commandsSent.length * 0.5 &&
        approvalPosts.length > harvest.requests.length &&
        modals > 0 &&
        apiRequests.length > 0,
    },
    {
      tried: `${n(bodies.length)} bodies sent to Slack (Web API calls, response_url posts, messages, views), ${n(taintedInput.length)} of them carrying hostile input`,
      happened:
        mentionHits.length === 0
          ? 'no mention, group, channel link or link from input left unescaped'
          : `${n(mentionHits.length)} unescaped: ${mentionHits.slice(0, 3).join('; ')}`,
      target:
        'no <!channel>/<!here>/<!everyone>, foreign <!subteam^…> or <@…>, or marked link in any body',
      met: mentionHits.length === 0 && taintedInput.length > 0,
    },
    {
      tried: `${n(apiRequests.length)} fine-tuning API requests`,
      happened:
        offRoute.length === 0
          ? 'all on /fine_tuning/jobs or /fine_tuning/jobs/ftjob-…[/pause|resume|cancel|events|checkpoints]'
          : `${n(offRoute.length)} off the job-ID routes: ${offRoute
              .slice(0, 3)
              .map((r) => `${r.method} ${r.path}?${r.query}`)
              .join('; ')}`,
      target: 'no API request outside the job-ID paths',
      met: offRoute.length === 0,
    },
    {
      tried: `${n(shown.length)} answers and Slack bodies, ${n(bot.lines.length)} log lines`,
      happened: `${n(stackShown)} answers/bodies and ${n(stackLogged)} log lines with a stack trace or [object Object]${stackShown ? ` (e.g. ${JSON.stringify(stackShownAll[0]?.slice(0, 300))})` : ''}`,
      target: 'none',
      met: stackShown === 0 && stackLogged === 0,
    },
  ];
  return { rows, errorLines };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}
