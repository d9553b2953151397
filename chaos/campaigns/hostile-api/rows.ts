// The report: every body sent to Slack searched for mentions and links from the API, the bots'
// health and logs searched for crashes, and every command's answer counted.
import type { BotProcess } from '../../lib/bot-process.ts';
import { n, type Row } from '../../lib/campaign.ts';
import type { World } from '../../lib/world.ts';
import { MARK } from '../hostile-input/inputs.ts';
import { foreignMentions, OBJECT, STACK } from '../hostile-input/verdicts.ts';
import type { Session } from './session.ts';

export function hostileApiRows(
  world: World,
  bots: BotProcess[],
  s: Session,
  health: number[],
): Row[] {
  // trigger_id goes back to Slack unseen; message metadata is data for programs, which Slack
  // never renders (the bot bounds it), so neither can mention anyone.
  const shownText = (v: unknown) =>
    JSON.stringify(v, (k, x) => (k === 'trigger_id' || k === 'metadata' ? undefined : x));
  const bodies: Array<{ where: string; text: string }> = [];
  for (const c of world.slack.calls)
    bodies.push({ where: `calls ${c.method}`, text: shownText(c.args) });
  for (const r of world.slack.responses)
    bodies.push({ where: 'response_url', text: shownText(r.body) });
  for (const v of world.slack.views.values()) bodies.push({ where: 'view', text: shownText(v) });
  const hits: string[] = [];
  for (const b of bodies)
    for (const hit of foreignMentions(b.text)) hits.push(`${b.where}: ${hit.slice(0, 80)}`);
  // The API's text did reach Slack (escaped): the search looked at real hostile content.
  const tainted = bodies.filter(
    (b) => b.text.includes(MARK) || b.text.includes('&lt;!channel&gt;'),
  );
  const lines = bots.flatMap((b) => b.lines);
  const crashLines = lines.filter(
    (l) => /"level":(50|60)/.test(l) || STACK.test(l) || OBJECT.test(l),
  );
  const shownBad = bodies.filter((b) => STACK.test(b.text) || OBJECT.test(b.text)).length;
  const alive = bots.every((b) => b.alive()) && health.every((h) => h === 200);
  return [
    {
      tried: `${n(s.jobs)} jobs with hostile text in every field, through ${n(s.commands)} commands, ${s.approved ? 'an approval' : 'NO approval'}, ${n(s.errorsServed)} hostile API error bodies and ${n(s.changes)} status changes`,
      happened:
        hits.length === 0
          ? `no mention, link or broadcast from the API in ${n(bodies.length)} bodies sent to Slack (${n(tainted.length)} of them showing its text, escaped)`
          : `${n(hits.length)} unescaped: ${hits.slice(0, 3).join('; ')}`,
      target: '0 unescaped mentions or links in anything sent to Slack',
      met: hits.length === 0 && tainted.length > 0 && s.approved && s.errorsServed > 0,
    },
    {
      tried: `${n(s.commands)} commands over hostile jobs and hostile errors`,
      happened: `${n(s.answered)} answered; ${n(s.announced)} of ${n(s.changes)} changes announced`,
      target: 'every command answered, every change announced',
      met: s.answered === s.commands && s.announced >= s.changes,
    },
    {
      tried: `a web bot and a worker, ${n(lines.length)} log lines`,
      happened: `${alive ? 'both alive, /healthz 200' : 'a bot DIED or stopped answering'}; ${n(crashLines.length)} error-level, stack-trace or [object Object] lines; ${n(shownBad)} bodies with one`,
      target: '0 crashes',
      met: alive && crashLines.length === 0 && shownBad === 0,
    },
  ];
}
