import type { ApprovalStore } from '../../../src/store/approvals.ts';
import type { BotProcess } from '../../lib/bot-process.ts';
import { n, type Row } from '../../lib/campaign.ts';
import { countsText, examples, readAudit } from '../../lib/race-audit.ts';
import { APPROVER, type World } from '../../lib/world.ts';
import { MOMENT_TEXT, MOMENTS, type Moment } from './plan.ts';
import type { Trial } from './trial.ts';
import { judgeTrial, type Verdict } from './verdict.ts';

/** The six rows, over every trial's verdict and the worker's log. */
export async function judge(
  world: World,
  store: ApprovalStore,
  worker: BotProcess,
  trials: Trial[],
  apiKey: string,
): Promise<Row[]> {
  const audit = await readAudit(world);
  const verdicts: Verdict[] = [];
  const recoveredIds = new Set(
    worker.lines
      .filter((l) => l.includes('recovering an approved request'))
      .map((l) => /"requestId":"([^"]+)"/.exec(l)?.[1] ?? ''),
  );
  for (const t of trials)
    verdicts.push(await judgeTrial(world, store, t, audit, apiKey, recoveredIds));
  const total = trials.length;
  const per = (m: Moment) => trials.filter((t) => t.moment === m);
  const setup = trials.filter((t) => t.setupProblem);

  // Row 1: every trial killed its web process at the planned moment, and it came back.
  const killedBySigkill = trials.filter((t) => t.killed && t.killSignal === 'SIGKILL').length;
  const delays = per('after-click').map((t) => t.delayMs);
  const clickedAgain = trials.filter((t) => t.clickedAgain).length;
  const perMoment = MOMENTS.map((m) => {
    const list = per(m);
    const k = list.filter((t) => t.killed && t.killSignal === 'SIGKILL').length;
    return `${n(list.length)} ${MOMENT_TEXT[m]} (${n(k)} killed there)`;
  }).join('; ');

  // Row 2: one pause effect per trial (none only if the request failed).
  const histText = countsText(verdicts.map((v) => v.effects));
  const effectOk = verdicts.filter(
    (v) =>
      (v.state === 'executed' &&
        v.effects === 1 &&
        (v.jobStatus === 'pausing' || v.jobStatus === 'paused')) ||
      (v.state === 'failed' && v.effects === 0 && v.jobStatus === 'running'),
  ).length;
  const idle = verdicts.reduce((s, v) => s + v.idlePosts, 0);
  const idleStatuses = verdicts
    .flatMap((v) => v.postStatuses.filter((s) => s !== 200))
    .reduce((m, s) => m.set(s, (m.get(s) ?? 0) + 1), new Map<number, number>());
  const idleText = [...idleStatuses.entries()]
    .map(([s, c]) => `${n(c)} ${s === 0 ? 'dropped unanswered' : `answered ${s}`}`)
    .join(', ');
  const executed = verdicts.filter((v) => v.state === 'executed').length;
  const failed = verdicts.filter((v) => v.state === 'failed').length;

  // Row 3: nothing left `approved`.
  const leftApproved = verdicts.filter((v) => v.state === 'approved').length;
  const zset = await world.redis.zcard(world.keys.approvalsApproved());
  const states = new Map<string, number>();
  for (const v of verdicts) states.set(v.state, (states.get(v.state) ?? 0) + 1);
  const stateText = [...states.entries()].map(([s, c]) => `${n(c)} ${s}`).join(', ');

  // Row 4: the requester told once, in the thread, naming the approver.
  const toldOnce = verdicts.filter((v) => v.told === 1 && !v.toldProblem).length;
  const toldProblems = verdicts.flatMap((v, i) =>
    v.toldProblem ? [`trial ${i + 1}: ${v.toldProblem}`] : [],
  );

  // Row 5: recovered or finished before the kill, and the audit says which, in whose name.
  const recovered = verdicts.filter((v) => v.recovered).length;
  const recoveredBy = MOMENTS.map(
    (m) => `${n(trials.filter((t, i) => t.moment === m && verdicts[i]?.recovered).length)} ${m}`,
  ).join(', ');
  const finishedFirst = total - recovered;
  // Held at the API, the web process cannot have recorded anything: those must be recovered.
  const heldNotRecovered = trials.filter(
    (t, i) => t.moment !== 'after-click' && !verdicts[i]?.recovered,
  ).length;
  const auditProblems = verdicts.flatMap((v, i) =>
    v.auditProblem ? [`trial ${i + 1}: ${v.auditProblem}`] : [],
  );
  const noApprovedEntry = verdicts.filter((v) => v.approvedEntries === 0).length;
  const recoveryLines = worker.lines.filter((l) =>
    l.includes('recovering an approved request'),
  ).length;

  // Row 6: logs.
  const stackLines = world.bots
    .flatMap((b) => b.lines)
    .filter(
      (l) =>
        l.includes('[object Object]') ||
        /\\n\s+at .+:\d+:\d+/.test(l) ||
        /^\s+at .+:\d+:\d+/.test(l) ||
        /"stack"\s*:/.test(l),
    );
  const lineCount = world.bots.reduce((s, b) => s + b.lines.length, 0);

  return [
    {
      tried: `${n(total)} trials of \`/ft pause\` then Approve, the web process SIGKILLed mid-execution and restarted`,
      happened: `${perMoment}; ${n(killedBySigkill)} of ${n(total)} ended by SIGKILL; after-click delays ${delays.length ? `${Math.min(...delays)}–${Math.max(...delays)} ms` : 'none'}; ${n(clickedAgain)} clicks lost with the process before being counted (clicked again after the restart)${setup.length ? `; ${n(setup.length)} trials never got a request: ${setup[0]?.setupProblem}` : ''}`,
      target: 'every moment tried; every trial killed where planned',
      met:
        total > 0 &&
        setup.length === 0 &&
        killedBySigkill === total &&
        MOMENTS.every((m) => per(m).length > 0),
    },
    {
      tried: `the ${n(total)} jobs, from the emulator's events (state changes) and POST …/pause log`,
      happened: `${n(effectOk)} of ${n(total)} paused exactly once and executed, or not at all and failed (pause effects per trial: ${histText}); requests ${n(executed)} executed, ${n(failed)} failed; ${n(idle)} further POST …/pause changed nothing${idleText ? ` (${idleText})` : ''}`,
      target: 'exactly 1 pause effect per executed trial',
      met: total > 0 && effectOk === total && executed > 0,
    },
    {
      tried: `the ${n(total)} approval requests in Redis once every trial settled`,
      happened: `${n(leftApproved)} left \`approved\`, ${n(zset)} still in the approved index; end states: ${stateText}`,
      target: '0 left approved',
      met: total > 0 && leftApproved === 0 && zset === 0,
    },
    {
      tried: `the ${n(total)} approval threads in #approvals`,
      happened: `${n(toldOnce)} of ${n(total)} requesters told exactly once, in the thread, that <@${APPROVER}> approved${examples(toldProblems)}`,
      target: 'every requester told once',
      met: total > 0 && toldOnce === total,
    },
    {
      tried: `the audit of the ${n(total)} requests`,
      happened: `${n(recovered)} recovered by the worker (${recoveredBy}), ${n(finishedFirst)} finished by the web process before the kill; ${n(heldNotRecovered)} killed at the API yet not recovered; ${n(total - auditProblems.length)} of ${n(total)} audited one outcome in <@${APPROVER}>'s name, marked recovered only where the worker took it over; worker logged ${n(recoveryLines)} recoveries; ${n(noApprovedEntry)} died before auditing the approval itself${examples(auditProblems)}`,
      target: 'killed-at-API trials all recovered; outcome audited once, by the approver',
      met:
        total > 0 &&
        recovered > 0 &&
        heldNotRecovered === 0 &&
        auditProblems.length === 0 &&
        recoveryLines >= recovered,
    },
    {
      tried: `${n(lineCount)} log lines of the worker and ${n(world.bots.length - 1)} web processes (killed and restarted)`,
      happened: `${n(stackLines.length)} with a stack trace or [object Object]; worker ${worker.alive() ? 'alive' : 'exited'}${examples(stackLines.map((l) => l.slice(0, 160)))}`,
      target: '0; worker alive',
      met: lineCount > 0 && stackLines.length === 0 && worker.alive(),
    },
  ];
}
