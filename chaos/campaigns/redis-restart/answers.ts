// How a command was answered (the ack's own text, or the response_url post) and what the answer
// says: the job card, the clear "temporarily unavailable", anything else, or nothing yet.
import { waitUntil } from '../../lib/campaign.ts';
import type { World } from '../../lib/world.ts';
import { type Sent, UNAVAILABLE, type Verdict } from './plan.ts';

export interface Answers {
  answerText(s: Sent): string | undefined;
  /** When the answer arrived: the ack if it carried one, else the response_url post. */
  answeredAt(s: Sent): number | undefined;
  verdict(s: Sent): Verdict;
  /** Waits (8 s unless told) until `s` has an answer. */
  answered(s: Sent, ms?: number): Promise<boolean>;
}

export function answersOf(w: World): Answers {
  const answerText = (s: Sent): string | undefined => {
    const fromAck = ackText(s.ack?.body ?? '');
    if (fromAck) return fromAck;
    const posted = w.slack.responses.find((r) => r.url === s.responseUrl);
    return posted ? bodyText(posted.body) : undefined;
  };
  /** When the answer arrived: the ack if it carried one, else the response_url post. */
  const answeredAt = (s: Sent): number | undefined =>
    ackText(s.ack?.body ?? '')
      ? s.ackAt
      : w.slack.responses.find((r) => r.url === s.responseUrl)?.at;
  const verdict = (s: Sent): Verdict => {
    const text = answerText(s);
    if (text === undefined) return 'silent';
    if (text.includes(UNAVAILABLE)) return 'unavailable';
    if (text.includes(s.jobId) && !text.includes('⚠')) return 'normal';
    return 'other';
  };
  const answered = (s: Sent, ms = 8000) => waitUntil(() => verdict(s) !== 'silent', ms);
  return { answerText, answeredAt, verdict, answered };
}

/** The text of an ack body that carries an answer (the ingress's JSON), else undefined. */
export function ackText(body: string): string | undefined {
  if (!body) return undefined;
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    return parsed.text === undefined && parsed.blocks === undefined ? undefined : bodyText(parsed);
  } catch {
    return body;
  }
}

export function bodyText(body: Record<string, unknown>): string {
  return JSON.stringify({ text: body.text, blocks: body.blocks ?? [] });
}
