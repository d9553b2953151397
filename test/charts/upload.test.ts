import { type Logger, LogLevel } from '@slack/bolt';
import { ErrorCode, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderChartPng, uploadChart } from '../../src/charts/index.ts';
import { type SlackEmulator, startSlackEmulator } from '../../src/emulators/slack/index.ts';
import { pngHeader } from './png-decode.ts';
import { trainingSeries } from './series.ts';

/** A rendered chart uploaded into a thread through the Slack emulator, over HTTP. */

let emu: SlackEmulator;
let client: WebClient;

const silent: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

beforeAll(async () => {
  emu = await startSlackEmulator();
  client = new WebClient(emu.botToken, {
    slackApiUrl: emu.apiUrl,
    retryConfig: { retries: 0 },
    logger: silent,
  });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => emu.reset());

describe('uploadChart', () => {
  it('posts the PNG as a reply in the thread', async () => {
    const parent = await client.chat.postMessage({ channel: 'C0TRAINING', text: 'ftjob-abc' });
    const { png } = await renderChartPng(trainingSeries({ steps: 200 }, 'ftjob-abc'));
    const uploaded = await uploadChart(client, {
      channel: 'C0TRAINING',
      threadTs: parent.ts as string,
      png,
      filename: 'ftjob-abc.png',
      title: 'Training curves of ftjob-abc',
      comment: 'Loss and accuracy so far',
      altText: 'Loss falls from 2.4 to 0.4',
    });
    const reply = emu.messages.get('C0TRAINING')?.find((m) => m.files);
    expect(reply).toMatchObject({
      thread_ts: parent.ts,
      text: 'Loss and accuracy so far',
      files: [uploaded.fileId],
    });
    expect(uploaded.messageTs).toBe(reply?.ts);
    const file = emu.files.get(uploaded.fileId);
    expect(file).toMatchObject({
      filename: 'ftjob-abc.png',
      title: 'Training curves of ftjob-abc',
      altText: 'Loss falls from 2.4 to 0.4',
      completed: true,
    });
    expect(file?.bytes?.equals(png)).toBe(true);
    expect(pngHeader(file?.bytes as Buffer)).toMatchObject({ width: 1200, height: 700 });
  });

  it('shares in the channel without a thread, named chart.png by default', async () => {
    const { png } = await renderChartPng(trainingSeries({ steps: 20 }));
    const { fileId } = await uploadChart(client, { channel: 'C0APPROVALS', png });
    const message = emu.messages.get('C0APPROVALS')?.[0];
    expect(message?.thread_ts).toBeUndefined();
    expect(emu.files.get(fileId)).toMatchObject({ filename: 'chart.png', title: 'chart.png' });
  });

  it("lets Slack's refusal through as the client throws it", async () => {
    emu.addChannel({ id: 'C0PRIVATE', name: 'private', private: true, isMember: false });
    const err = await uploadChart(client, { channel: 'C0PRIVATE', png: Buffer.from('x') }).catch(
      (e: unknown) => e as { code?: string; data?: { error?: string } },
    );
    expect(err).toMatchObject({ code: ErrorCode.PlatformError, data: { error: 'not_in_channel' } });
  });
});
