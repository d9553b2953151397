// What one click was allowed to change, from its own state as stored before it, and every change
// it made beyond that: in Redis, on the fine-tuning API, in Slack, at response URLs.
import { isValidJobId } from '../../../src/api/job-id.ts';
import { CANCEL_JOB, CHART_JOB, PAUSE_JOB, RESUME_JOB } from '../../../src/views/action-ids.ts';
import { APPROVALS, TRAINING } from '../../lib/world.ts';
import {
  APPROVER_IDS,
  type Counters,
  type Kind,
  type Own,
  SLACK_READS,
  type Tally,
} from './plan.ts';
import type { Setup } from './setup.ts';
import { denyModalOf, diff, hashOf, modalOf, type Snapshot, subjectsOf } from './snapshot.ts';

interface Allowed {
  subjects: Set<string>;
  api: Set<string>;
  /** The request message the bot may update or reply under. */
  messageTs?: string;
  newRequest?: { jobId: string; action: string };
  newModal?: { jobId: string; action: string };
  ephemeral?: { channel: string };
  /** The request a Deny click may open its reason modal about. */
  denyModalFor?: string;
  /** The requester of the click's own request, told of a decision where they asked (or by DM). */
  requesterNotice?: { channel: string; user: string };
  /** The job a Chart click may upload the chart of (into the training channel). */
  chartOf?: string;
  outsiderOrSelf: boolean;
}

/** What a click may change, from its own state as stored before it. */
function allowedFor(own: Own, user: string, before: Snapshot): Allowed {
  const out: Allowed = { subjects: new Set(), api: new Set(), outsiderOrSelf: false };
  if (own.type === 'request') {
    const h = hashOf(before, `approval:${own.id}`);
    if (!h) return out;
    out.outsiderOrSelf = !APPROVER_IDS.has(user) || user === h.requester;
    if (h.state !== 'pending' || out.outsiderOrSelf) return out;
    out.subjects.add(`req:${own.id}`);
    out.subjects.add(`job:${h.jobId}`);
    out.subjects.add(`chan:${h.channel}`);
    out.api.add(`${h.action} ${h.jobId}`);
    if (h.messageTs) out.messageTs = h.messageTs;
    out.denyModalFor = own.id;
    out.requesterNotice = { channel: h.channel ?? '', user: h.requester ?? '' };
    return out;
  }
  if (own.type === 'job') {
    if (!isValidJobId(own.jobId)) return out;
    out.subjects.add(`job:${own.jobId}`);
    out.subjects.add(`chan:${TRAINING}`);
    if (own.actionId === RESUME_JOB) out.api.add(`resume ${own.jobId}`);
    if (own.actionId === PAUSE_JOB) out.newModal = { jobId: own.jobId, action: 'pause' };
    if (own.actionId === CANCEL_JOB) out.newModal = { jobId: own.jobId, action: 'cancel' };
    if (own.actionId === CHART_JOB) out.chartOf = own.jobId;
    return out;
  }
  const ref = modalOf(before, own.ref);
  if (!ref || ref.user !== user) return out;
  out.subjects.add(`modal:${own.ref}`);
  out.subjects.add(`job:${ref.jobId}`);
  out.newRequest = { jobId: ref.jobId, action: ref.action };
  out.ephemeral = { channel: ref.channel };
  return out;
}

/** Where each log stood just before the click was sent. */
interface Marks {
  apiMark: number;
  callMark: number;
  responseMark: number;
  foreignMark: number;
}

/** One click's changes against what its own state allowed: what went wrong, and if it acted. */
export function judge(
  s: Setup,
  click: { kind: Kind; user: string; own: Own; expectAnswerAt: string | undefined },
  before: Snapshot,
  after: Snapshot,
  marks: Marks,
  t: Tally,
  counters: Counters,
): { problems: string[]; acted: boolean } {
  const { kind, user, own, expectAnswerAt } = click;
  const { apiMark, callMark, responseMark, foreignMark } = marks;
  const { world, foreign, requests } = s;
  const slack = world.slack;
  const ft = world.ft;
  const problems: string[] = [];
  const allowed = allowedFor(own, user, before);
  if (allowed.outsiderOrSelf) counters.outsiderOrSelfClicks++;
  // Redis.
  let acted = false;
  for (const { key, field } of diff(before, after)) {
    for (const subject of subjectsOf(key, field)) {
      if (allowed.subjects.has(subject)) {
        acted = true;
        continue;
      }
      const [type, id] = [
        subject.slice(0, subject.indexOf(':')),
        subject.slice(subject.indexOf(':') + 1),
      ];
      if (type === 'req' && allowed.newRequest && !before.has(`approval:${id}`)) {
        const h = hashOf(after, `approval:${id}`);
        if (
          h &&
          h.jobId === allowed.newRequest.jobId &&
          h.action === allowed.newRequest.action &&
          h.requester === user &&
          h.state === 'pending'
        ) {
          acted = true;
          continue;
        }
      }
      if (type === 'modal' && allowed.denyModalFor && !before.has(key)) {
        const m = denyModalOf(after, id);
        if (m && m.requestId === allowed.denyModalFor && m.user === user) {
          acted = true;
          continue;
        }
      }
      if (type === 'modal' && allowed.newModal && !before.has(key)) {
        const m = modalOf(after, id);
        if (
          m &&
          m.jobId === allowed.newModal.jobId &&
          m.action === allowed.newModal.action &&
          m.user === user
        ) {
          acted = true;
          continue;
        }
      }
      problems.push(`redis ${key}[${field}] (${subject})`);
    }
  }
  // Decisions on approval requests, and whether policy allowed them.
  for (const r of requests) {
    const a = hashOf(before, `approval:${r.id}`);
    const b = hashOf(after, `approval:${r.id}`);
    if (a && b && a.state !== b.state) {
      t.decisions++;
      if (!APPROVER_IDS.has(user) || user === a.requester || a.state !== 'pending') {
        counters.badDecisions++;
        problems.push(`decision on ${r.id} by ${user} not allowed by policy`);
      }
    }
  }
  // Fine-tuning API: mutating requests.
  const posts = ft.requests.slice(apiMark).filter((r) => r.method !== 'GET');
  for (const p of posts) {
    const m = /^\/fine_tuning\/jobs\/([^/]+)\/(pause|resume|cancel)$/.exec(p.path);
    const what = m ? `${m[2]} ${m[1]}` : `${p.method} ${p.path}`;
    if (allowed.api.has(what)) {
      acted = true;
      t.apiCalls++;
    } else problems.push(`API ${what}`);
  }
  if (posts.length > 1) problems.push(`${posts.length} mutating API requests for one click`);
  // Slack: writes only about the click's own target.
  for (const call of slack.calls.slice(callMark)) {
    if (SLACK_READS.has(call.method)) continue;
    const a = call.args as Record<string, unknown>;
    let ok = false;
    if (call.method === 'chat.update')
      ok = allowed.messageTs !== undefined && a.ts === allowed.messageTs;
    else if (call.method === 'chat.postMessage')
      ok =
        (allowed.messageTs !== undefined && a.thread_ts === allowed.messageTs) ||
        (allowed.requesterNotice !== undefined && a.channel === allowed.requesterNotice.user) ||
        (allowed.newRequest !== undefined &&
          a.channel === APPROVALS &&
          a.thread_ts === undefined &&
          String(a.text ?? '').includes(allowed.newRequest.jobId));
    else if (call.method === 'chat.postEphemeral')
      ok =
        (allowed.ephemeral !== undefined &&
          a.channel === allowed.ephemeral.channel &&
          a.user === user) ||
        (allowed.requesterNotice !== undefined &&
          a.channel === allowed.requesterNotice.channel &&
          a.user === allowed.requesterNotice.user);
    else if (call.method === 'files.getUploadURLExternal')
      ok = allowed.chartOf !== undefined && String(a.filename ?? '').startsWith(allowed.chartOf);
    else if (call.method === 'files.completeUploadExternal') {
      const files = (a.files ?? []) as Array<{ title?: string }>;
      ok =
        allowed.chartOf !== undefined &&
        a.channel_id === TRAINING &&
        files.every((f) => String(f.title ?? '').endsWith(allowed.chartOf as string));
    } else if (call.method === 'views.open') {
      const ref = (a.view as { private_metadata?: string } | undefined)?.private_metadata;
      const m = ref ? modalOf(after, ref) : undefined;
      const deny = ref ? denyModalOf(after, ref) : undefined;
      ok =
        (allowed.newModal !== undefined &&
          m?.jobId === allowed.newModal.jobId &&
          m?.user === user) ||
        (allowed.denyModalFor !== undefined &&
          deny?.requestId === allowed.denyModalFor &&
          deny.user === user);
      if (ok) t.modalsOpened++;
    }
    if (!ok) problems.push(`Slack ${call.method} ${JSON.stringify(a).slice(0, 120)}`);
  }
  // Bodies posted to response URLs: only to the one the click carried.
  for (const r of slack.responses.slice(responseMark)) {
    if (r.url !== expectAnswerAt) problems.push(`answer posted to another response_url`);
    else if (kind === 'response_url') t.slackHostedElsewhere++;
  }
  if (foreign.received.length > foreignMark)
    problems.push(`${foreign.received.length - foreignMark} requests reached the foreign host`);
  return { problems, acted };
}
