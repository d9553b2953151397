import type { SlackEmulator } from '../emulators/slack/index.ts';
import {
  blockActionsBody,
  blockActionsPayload,
  newTriggerId,
  signRequest,
  slashCommandBody,
  viewSubmissionBody,
  viewSubmissionPayload,
} from '../emulators/slack-signing.ts';

/** What the bot answered to one signed request: the HTTP status and the ack body (often empty). */
export interface BotAck {
  status: number;
  body: string;
}

/** A click on a button in a stored message, as the page reports it. */
export interface ClickInput {
  user: string;
  channel: string;
  ts: string;
  actionId: string;
  blockId: string;
  value: string;
  text?: string;
}

/** A modal submission, as the page reports it: `values` is `state.values`. */
export interface SubmitInput {
  user: string;
  viewId: string;
  values: Record<string, Record<string, unknown>>;
}

/** The user input could not be turned into a Slack request; the message is for the page. */
export class BridgeError extends Error {
  override readonly name = 'BridgeError';
}

/**
 * Plays Slack's part towards the bot: turns what the page did (typed a command, clicked a
 * button, submitted a modal) into the exact signed request Slack would send to
 * `/slack/events`. It also remembers which user each trigger_id belongs to, because a modal
 * opened with `views.open` names only the trigger, and the page must show it to that user.
 */
export class SlackBridge {
  readonly #slack: SlackEmulator;
  readonly #secret: string;
  readonly #eventsUrl: () => string;
  readonly #channelName: (id: string) => string;
  readonly #triggers = new Map<string, string>();

  constructor(opts: {
    slack: SlackEmulator;
    signingSecret: string;
    eventsUrl: () => string;
    channelName: (id: string) => string;
  }) {
    this.#slack = opts.slack;
    this.#secret = opts.signingSecret;
    this.#eventsUrl = opts.eventsUrl;
    this.#channelName = opts.channelName;
  }

  /** The user a trigger_id was issued for, if the sandbox issued it. */
  userOfTrigger(triggerId: string | undefined): string | undefined {
    return triggerId === undefined ? undefined : this.#triggers.get(triggerId);
  }

  /** Sends `/ft <text>` from `user` in `channel`; `text` may include the leading `/ft`. */
  command(input: { user: string; channel: string; text: string }): Promise<BotAck> {
    // Slack matches command names case-insensitively: /FT list reaches /ft.
    const match = /^\s*\/ft(?:\s+|$)([\s\S]*)$/i.exec(input.text);
    if (!match) {
      const name = /^\s*(\/\S{1,40})/.exec(input.text)?.[1];
      throw new BridgeError(
        name
          ? `${name} is not a valid command here. Only /ft commands reach the bot here; try /ft help.`
          : 'Only /ft commands reach the bot here; try /ft help.',
      );
    }
    const body = slashCommandBody({
      text: (match[1] ?? '').trim(),
      user_id: input.user,
      channel_id: input.channel,
      channel_name: this.#channelName(input.channel),
      response_url: this.#slack.responseUrl(input.channel, input.user),
      trigger_id: this.#trigger(input.user),
    });
    return this.#post(body);
  }

  /** Sends a `block_actions` click on a button of a message the Slack emulator stores. */
  click(input: ClickInput): Promise<BotAck> {
    const message = this.#slack.messages.get(input.channel)?.find((m) => m.ts === input.ts);
    if (!message) throw new BridgeError('That message is gone; nothing was sent.');
    if (message.ephemeral && message.visibleTo !== input.user) {
      throw new BridgeError('That message is not visible to this user.');
    }
    const payload = blockActionsPayload({
      user: input.user,
      channel: input.channel,
      channelName: this.#channelName(input.channel),
      actionId: input.actionId,
      blockId: input.blockId,
      value: input.value,
      ...(input.text !== undefined ? { buttonText: input.text } : {}),
      responseUrl: this.#slack.responseUrl(input.channel, input.user, input.ts),
      triggerId: this.#trigger(input.user),
      message: {
        ts: message.ts,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks } : {}),
        ...(message.ephemeral ? { ephemeral: true } : {}),
      },
    });
    return this.#post(blockActionsBody(payload));
  }

  /** Sends a `view_submission` for a modal the bot opened for `user`. */
  submit(input: SubmitInput): Promise<BotAck> {
    const stored = this.#slack.views.get(input.viewId);
    if (!stored) throw new BridgeError('That dialog is gone; nothing was sent.');
    const owner = stored.user ?? this.userOfTrigger(stored.trigger_id);
    if (owner !== input.user) throw new BridgeError('That dialog belongs to someone else.');
    const view = stored.view;
    const payload = viewSubmissionPayload({
      user: input.user,
      viewId: stored.id,
      callbackId: typeof view.callback_id === 'string' ? view.callback_id : '',
      privateMetadata: typeof view.private_metadata === 'string' ? view.private_metadata : '',
      values: input.values,
    });
    return this.#post(viewSubmissionBody(payload));
  }

  #trigger(user: string): string {
    const id = newTriggerId();
    this.#triggers.set(id, user);
    // Slack's trigger ids expire after 3 s; keep only the recent ones.
    if (this.#triggers.size > 500) {
      const oldest = this.#triggers.keys().next().value;
      if (oldest !== undefined) this.#triggers.delete(oldest);
    }
    return id;
  }

  async #post(body: string): Promise<BotAck> {
    const res = await fetch(this.#eventsUrl(), {
      method: 'POST',
      body,
      headers: { ...signRequest(this.#secret, body) },
    });
    return { status: res.status, body: await res.text() };
  }
}
