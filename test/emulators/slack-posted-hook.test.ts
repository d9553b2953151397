import { type Logger, LogLevel, WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type PostedCall,
  type SlackEmulator,
  startSlackEmulator,
} from '../../src/emulators/slack/index.ts';

/**
 * `onPosted` lets a test act between Slack storing a message and the caller hearing about it
 * (the crash campaign kills the poster there); `apiUrlFor` tells callers apart; `metadata`
 * is kept as Slack keeps it. Driven by the official client over real HTTP.
 */

let emu: SlackEmulator;

const silent: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

const client = (url = emu.apiUrl) =>
  new WebClient(emu.botToken, { slackApiUrl: url, retryConfig: { retries: 0 }, logger: silent });

beforeEach(async () => {
  emu = await startSlackEmulator();
});
afterEach(async () => {
  await emu.close();
});

describe('Slack emulator: onPosted', () => {
  it('holds the answer of a post until the hook settles, with the message already stored', async () => {
    let release: () => void = () => {};
    const seen: PostedCall[] = [];
    const storedWhenHeld: number[] = [];
    emu.onPosted(async (posted) => {
      seen.push(posted);
      storedWhenHeld.push(emu.messages.get(posted.channel)?.length ?? 0);
      await new Promise<void>((r) => {
        release = r;
      });
    });
    let answered = false;
    const pending = client()
      .chat.postMessage({ channel: 'C0TRAINING', text: 'hello' })
      .then((res) => {
        answered = true;
        return res;
      });
    await expect.poll(() => seen.length).toBe(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(answered).toBe(false);
    expect(storedWhenHeld).toEqual([1]);
    expect(emu.callsTo('chat.postMessage')).toHaveLength(0); // recorded when answered
    release();
    const res = await pending;
    expect(res.ts).toBe(seen[0]?.ts);
    expect(seen[0]).toMatchObject({ method: 'chat.postMessage', channel: 'C0TRAINING' });
    expect(emu.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('hears updates, not failed posts, and stops after unsubscribing', async () => {
    const seen: string[] = [];
    const off = emu.onPosted((p) => void seen.push(p.method));
    const web = client();
    const posted = await web.chat.postMessage({ channel: 'C0TRAINING', text: 'a' });
    await web.chat.update({ channel: 'C0TRAINING', ts: posted.ts as string, text: 'b' });
    await expect(web.chat.postMessage({ channel: 'C0NOPE', text: 'x' })).rejects.toThrow(
      /channel_not_found/,
    );
    expect(seen).toEqual(['chat.postMessage', 'chat.update']);
    off();
    await web.chat.postMessage({ channel: 'C0TRAINING', text: 'c' });
    expect(seen).toHaveLength(2);
  });
});

describe('Slack emulator: client names and metadata', () => {
  it('notes the client name of calls made through apiUrlFor', async () => {
    await client(emu.apiUrlFor('worker-a')).chat.postMessage({ channel: 'C0TRAINING', text: 'x' });
    await client().chat.postMessage({ channel: 'C0TRAINING', text: 'y' });
    expect(emu.callsTo('chat.postMessage').map((c) => c.client)).toEqual(['worker-a', undefined]);
    expect(() => emu.apiUrlFor('no/slash')).toThrow();
  });

  it('keeps message metadata, replaces it on update and refuses a malformed one', async () => {
    const web = client();
    const metadata = { event_type: 'thing_happened', event_payload: { id: 'x', n: 1 } };
    const posted = await web.chat.postMessage({ channel: 'C0TRAINING', text: 'a', metadata });
    expect(emu.messages.get('C0TRAINING')?.[0]?.metadata).toEqual(metadata);
    expect((posted.message as { metadata?: unknown }).metadata).toEqual(metadata);
    const next = { event_type: 'thing_happened', event_payload: { id: 'x', n: 2 } };
    await web.chat.update({
      channel: 'C0TRAINING',
      ts: posted.ts as string,
      text: 'b',
      metadata: next,
    });
    expect(emu.messages.get('C0TRAINING')?.[0]?.metadata).toEqual(next);
    await expect(
      web.apiCall('chat.postMessage', {
        channel: 'C0TRAINING',
        text: 'c',
        metadata: { event_payload: {} },
      }),
    ).rejects.toThrow(/invalid_metadata_format/);
  });
});
