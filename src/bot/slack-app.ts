import { App, type AppOptions, type ReceiverEvent } from '@slack/bolt';
import type { Logger } from 'pino';
import { errorText } from '../util/error-text.ts';

/**
 * Bolt's App with one guarantee added: every request that passed verification is answered as
 * soon as Bolt is done with it. Plain Bolt leaves a request no listener acknowledges (an
 * unknown action_id or callback_id, a payload whose type it cannot tell, a malformed body) open
 * until its 3 s timer answers 404, and answers 500 when a listener chokes on a malformed payload
 * before acknowledging. Here such a request gets an empty acknowledgement at once and one
 * warning line (the message only: no stack, no payload).
 */
export class FtopsApp extends App {
  readonly #log: Logger;

  constructor(options: AppOptions, log: Logger) {
    super(options);
    this.#log = log;
    // Bolt's default error handler logs the error, then rethrows; processEvent logs it once.
    this.error(async (error) => {
      throw error;
    });
  }

  override async processEvent(event: ReceiverEvent): Promise<void> {
    let acked = false;
    const ack: ReceiverEvent['ack'] = async (response) => {
      acked = true;
      return event.ack(response);
    };
    try {
      await super.processEvent({ ...event, ack });
    } catch (err) {
      // Warn, not error: almost always a payload Slack would never send (hostile or broken
      // input); a bug shows up here too, so the message is kept, never the payload.
      this.#log.warn(
        { err: describe(err) },
        'a listener failed on a Slack request (a malformed payload, or a bug)',
      );
    }
    if (!acked) {
      acked = true;
      await event.ack().catch(() => undefined);
    }
  }
}

/** The message of an error (or the distinct ones Bolt bundled from several listeners), cut short. */
function describe(err: unknown): string {
  const text = [...new Set(messages(err))].join('; ');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function messages(err: unknown): string[] {
  const originals = (err as { originals?: unknown[] } | null)?.originals;
  if (Array.isArray(originals) && originals.length > 0) return originals.flatMap(messages);
  return [errorText(err)];
}
