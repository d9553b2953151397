// Campaign 11, audit flood: non-approvers click and type as fast as they can while real
// decisions are made; the audit trail keeps every decision and Redis stays bounded.
import type { Campaign, CampaignResult } from '../../lib/campaign.ts';
import { n, type Row } from '../../lib/campaign.ts';
import { startWorld, type World } from '../../lib/world.ts';
import { runFlood } from './session.ts';

/**
 * Bytes of the namespace's audit keys and of all its keys, and the length of the refusals
 * stream. Replay and delivery marks (one per request, expiring within hours) are most of the
 * rest: they grow with traffic by design and go on their own.
 */
async function footprint(world: World) {
  const found = await world.redis.keys(`${world.keys.bullPrefix}*`);
  let bytes = 0;
  let auditBytes = 0;
  for (const k of found) {
    const b = Number((await world.redis.memory('USAGE', k)) ?? 0);
    bytes += b;
    if (k.startsWith(world.keys.audit())) auditBytes += b;
  }
  const refusals = await world.redis.xlen(world.keys.auditRefusals());
  return { bytes, auditBytes, keys: found.length, refusals };
}

export const runAuditFlood: Campaign = async (opts) => {
  const t0 = Date.now();
  const log = opts.log ?? (() => {});
  const plan = opts.full
    ? { requests: 80, clicks: 100_000, commands: 10_000, concurrency: 16 }
    : { requests: 10, clicks: 1_500, commands: 150, concurrency: 8 };
  const world = await startWorld({ evidence: opts.evidence });
  try {
    const web = await world.startBot('audit-flood-web', { role: 'web', fastRetry: true });
    log(`bot up (pid ${web.pid})`);
    const f = await runFlood(world, web, plan, log);
    const mem = await footprint(world);
    const mb = (x: number) => (x / 1024 / 1024).toFixed(2);
    const rows: Row[] = [
      {
        tried: `${n(f.clicksSent)} refused clicks and ${n(f.commandsSent)} refused commands from non-approvers, ${plan.concurrency} at a time, interleaved with ${n(f.decisions)} decisions on ${n(f.decidedJobs.length)} requests`,
        happened: `${n(f.clicksAcked)} clicks and ${n(f.commandsAcked)} commands acked 200; bot ${web.alive() ? 'alive' : 'DEAD'}`,
        target: 'every request acked, no crash',
        met: f.clicksAcked === f.clicksSent && f.commandsAcked === f.commandsSent && web.alive(),
      },
      {
        tried: '/ft audit, paged with "Older entries"',
        happened: `${n(f.listed)} decisions listed over ${n(f.pages)} pages (${n(f.decisions + f.bait)} made in this run)`,
        target: 'every decision still listed',
        met: f.listed === f.decisions + f.bait,
      },
      {
        tried: `/ft audit <job> for each of ${n(f.decidedJobs.length)} decided jobs`,
        happened: `${n(f.jobsComplete)} list their request and its decision`,
        target: 'all of them',
        met: f.jobsComplete === f.decidedJobs.length && f.decidedJobs.length > 0,
      },
      {
        tried: 'Redis after the flood',
        happened: `audit ${mb(mem.auditBytes)} MB with ${n(mem.refusals)} refusal entries kept; the namespace ${mb(mem.bytes)} MB in ${n(mem.keys)} keys, mostly per-request replay marks that expire`,
        target: 'bounded: at most 2,000 refusal entries, audit under 2 MB',
        met: mem.refusals <= 2_000 && mem.auditBytes < 2 * 1024 * 1024,
      },
    ];
    const result: CampaignResult = {
      name: 'audit-flood',
      title: '11. Audit flood',
      rows,
      durationMs: Date.now() - t0,
    };
    return result;
  } finally {
    await world.close();
  }
};
