/**
 * One ftops process as the chaos battery runs it: the real composition root (`startFtops`)
 * configured from the environment exactly as `npm start` is, plus knobs that only
 * shorten waits so a campaign fits its time box (production values when unset):
 * - CHAOS_API_TIMEOUT_MS: per-attempt API timeout (30 s in production);
 * - CHAOS_RETRY=fast: API backoff of 10–200 ms instead of 0.5–8 s (server hints still obeyed);
 * - CHAOS_PACE_MS: gap between two posts to one channel (1.1 s in production);
 * - CHAOS_STALL_MS: how soon a killed worker's announcement is handed to another, as BullMQ's
 *   lock duration and stalled-job check interval (30 s each in production), and twice that as
 *   the card lock a dead worker leaves behind (60 s in production);
 * - CHAOS_RECOVERY_GRACE_MS: how long an approved request may go without an outcome before
 *   the worker takes it over (10 min in production);
 * - CHAOS_APPROVAL_SWEEP_MS: how often the worker expires and recovers approval requests
 *   (30 s in production).
 * It listens on a free port of 127.0.0.1 and tells the parent which over IPC.
 */
import { startFtops } from '../../src/bot/compose.ts';
import { exitOnConfigError, loadConfig } from '../../src/bot/config/index.ts';

const number = (name: string): number | undefined => {
  const raw = process.env[name];
  return raw ? Number(raw) : undefined;
};
const config = exitOnConfigError(() => loadConfig());
const apiTimeoutMs = number('CHAOS_API_TIMEOUT_MS');
const paceMs = number('CHAOS_PACE_MS');
const stallMs = number('CHAOS_STALL_MS');
const recoveryGraceMs = number('CHAOS_RECOVERY_GRACE_MS');
const approvalSweepMs = number('CHAOS_APPROVAL_SWEEP_MS');
const ftops = await startFtops({
  config,
  host: '127.0.0.1',
  port: 0,
  ...(apiTimeoutMs ? { apiTimeoutMs } : {}),
  ...(paceMs !== undefined ? { paceMs } : {}),
  ...(recoveryGraceMs !== undefined ? { recoveryGraceMs } : {}),
  ...(approvalSweepMs ? { approvalSweepMs } : {}),
  ...(stallMs
    ? {
        notifyStall: {
          lockDurationMs: stallMs,
          stalledIntervalMs: stallMs,
          cardLockMs: 2 * stallMs,
        },
      }
    : {}),
  ...(process.env.CHAOS_RETRY === 'fast'
    ? { retryPolicy: { baseDelayMs: 10, maxDelayMs: 200 } }
    : {}),
});
process.send?.({ type: 'ready', port: ftops.port });

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 20_000).unref(); // as src/bot/main.ts
    ftops.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
