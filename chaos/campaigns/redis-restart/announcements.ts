// Announcements as the Slack emulator records them, and the changes made one after another: a
// job's next change only once its previous one was announced in every watching channel.
import { statusLabel } from '../../../src/views/status.ts';
import { waitUntil } from '../../lib/campaign.ts';
import type { World } from '../../lib/world.ts';
import type { Change } from './plan.ts';

export function announcer(
  w: World,
  changes: Change[],
): { announced(c: Change): boolean; make(c: Change): Promise<void> } {
  const scanAnnouncements = () => {
    for (const call of w.slack.calls) {
      if (call.method !== 'chat.postMessage' && call.method !== 'chat.update') continue;
      const text = typeof call.args.text === 'string' ? call.args.text : '';
      const channel = String(call.args.channel ?? '');
      for (const c of changes) {
        if (c.seen.has(channel) || !c.channels.includes(channel)) continue;
        if (text.includes(c.jobId) && text.includes(arrow(c.from, c.to)))
          c.seen.set(channel, call.at);
      }
    }
  };
  const announced = (c: Change) => {
    scanAnnouncements();
    return c.channels.every((ch) => c.seen.has(ch));
  };
  /** Makes a change once the job's previous change (if any) was announced everywhere. */
  const make = async (c: Change) => {
    const earlier = changes.filter(
      (x) => x.jobId === c.jobId && changes.indexOf(x) < changes.indexOf(c),
    );
    for (const e of earlier) await waitUntil(() => announced(e), 20_000, 100);
    w.ft.setStatus(
      c.jobId,
      c.to,
      c.to === 'failed'
        ? { error: { code: 'invalid_training_file', message: 'line 3 is not JSON', param: null } }
        : c.to === 'succeeded'
          ? { fine_tuned_model: `ft:gpt-4o-mini:restart:${c.jobId.slice(-6)}` }
          : {},
    );
    c.madeAt = Date.now();
  };
  return { announced, make };
}

/** `running → paused` as announcements write it. */
function arrow(from: string, to: string): string {
  return `${statusLabel(from)} → ${statusLabel(to)}`;
}
