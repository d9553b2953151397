import { ANNOUNCEMENT_EVENT_TYPE } from '../../../src/poller/notify-worker.ts';
import type { World } from '../../lib/world.ts';

/** A change made to a job in the emulator. */
export interface Made {
  jobId: string;
  seq: number;
  from: string;
  to: string;
}

/** What one announcement post said it announced (its metadata). */
export interface Announced {
  channel: string;
  jobId: string;
  seq: number;
  from: string;
  to: string;
  client: string | undefined;
}

export const key = (channel: string, jobId: string, seq: number) => `${channel}|${jobId}|${seq}`;

/** Reads an announcement's metadata from a Web API call's (decoded) arguments. */
export function announcementOf(
  args: Record<string, unknown>,
): Omit<Announced, 'channel' | 'client'> | null {
  const m = args.metadata as { event_type?: unknown; event_payload?: Record<string, unknown> };
  if (!m || m.event_type !== ANNOUNCEMENT_EVENT_TYPE || !m.event_payload) return null;
  const p = m.event_payload;
  return {
    jobId: String(p.job_id),
    seq: Number(p.seq),
    from: String(p.from),
    to: String(p.to),
  };
}

/** Every announcement post Slack accepted, in the order it accepted them. */
export function announcements(world: World): Announced[] {
  return world.slack
    .callsTo('chat.postMessage')
    .filter((c) => c.ok)
    .flatMap((c) => {
      const a = announcementOf(c.args);
      return a ? [{ ...a, channel: String(c.args.channel), client: c.client }] : [];
    });
}

/** The announcements due: one per change made and channel watching its job. */
export function expectedAnnouncements(
  made: readonly Made[],
  watchers: ReadonlyMap<string, string[]>,
): Map<string, Made> {
  const expected = new Map<string, Made>();
  for (const m of made)
    for (const c of watchers.get(m.jobId) ?? []) expected.set(key(c, m.jobId, m.seq), m);
  return expected;
}
