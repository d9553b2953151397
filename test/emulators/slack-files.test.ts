import { type Logger, LogLevel } from '@slack/bolt';
import { ErrorCode, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { multipartFile } from '../../src/emulators/slack/files.ts';
import { type SlackEmulator, startSlackEmulator } from '../../src/emulators/slack/index.ts';

/**
 * Slack's upload flow as `@slack/web-api`'s filesUploadV2 drives it, against the emulator over
 * HTTP: getUploadURLExternal, the POST of the bytes, completeUploadExternal.
 */

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

/** The Slack error code a WebClient call fails with. */
async function slackError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: string; data?: { error?: string } };
    if (e.code === ErrorCode.PlatformError && e.data?.error) return e.data.error;
    throw err;
  }
  throw new Error('expected the call to fail');
}

/** Bytes that are not valid UTF-8, so any text decoding on the way would show. */
const BYTES = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00, 0x80]);

/** Steps 1 and 2 by hand: a file id whose bytes are uploaded. */
async function uploaded(bytes = BYTES, filename = 'chart.png'): Promise<string> {
  const url = await client.files.getUploadURLExternal({ filename, length: bytes.length });
  const res = await fetch(url.upload_url as string, { method: 'POST', body: bytes });
  expect(res.status).toBe(200);
  return url.file_id as string;
}

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

describe('filesUploadV2 end to end', () => {
  it('shares the bytes into a thread as a message with the file', async () => {
    const parent = await client.chat.postMessage({ channel: 'C0TRAINING', text: 'job card' });
    const res = await client.filesUploadV2({
      channel_id: 'C0TRAINING',
      thread_ts: parent.ts as string,
      file: BYTES,
      filename: 'ftjob-abc-loss.png',
      title: 'Loss of ftjob-abc',
      initial_comment: 'The curve so far',
      alt_text: 'Loss falling from 2.4 to 0.6',
    });
    expect(res.ok).toBe(true);
    const completion = (
      res.files as unknown as Array<{ files: Array<Record<string, unknown>> }>
    )[0];
    const file = completion?.files[0] as Record<string, unknown>;
    expect(file).toMatchObject({
      name: 'ftjob-abc-loss.png',
      title: 'Loss of ftjob-abc',
      mimetype: 'image/png',
      filetype: 'png',
      size: BYTES.length,
      alt_txt: 'Loss falling from 2.4 to 0.6',
      user: 'U0FTBOT',
      is_public: true,
      channels: ['C0TRAINING'],
    });
    expect(file.id).toMatch(/^F[A-Z0-9]{10}$/);

    // The message: a reply in the thread, the comment as its text, the file attached.
    const reply = emu.messages.get('C0TRAINING')?.find((m) => m.files !== undefined);
    expect(reply).toMatchObject({
      thread_ts: parent.ts,
      text: 'The curve so far',
      files: [file.id],
      user: 'U0FTBOT',
    });
    expect(file.shares).toEqual({
      public: {
        C0TRAINING: [
          expect.objectContaining({
            ts: reply?.ts,
            thread_ts: parent.ts,
            channel_name: 'ml-training',
          }),
        ],
      },
    });

    // The bytes, stored and served back at url_private to the bot token only.
    const stored = emu.files.get(file.id as string);
    expect(stored?.bytes?.equals(BYTES)).toBe(true);
    const download = await fetch(file.url_private as string, {
      headers: { authorization: `Bearer ${emu.botToken}` },
    });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await download.arrayBuffer()).equals(BYTES)).toBe(true);
    expect((await fetch(file.url_private as string)).status).toBe(403);

    // The three steps as Slack saw them.
    expect(emu.callsTo('files.getUploadURLExternal')[0]?.args).toMatchObject({
      filename: 'ftjob-abc-loss.png',
      length: String(BYTES.length),
      alt_text: 'Loss falling from 2.4 to 0.6',
    });
    expect(emu.callsTo('files.completeUploadExternal')[0]?.args).toMatchObject({
      files: [{ id: file.id, title: 'Loss of ftjob-abc' }],
      channel_id: 'C0TRAINING',
      thread_ts: parent.ts,
      initial_comment: 'The curve so far',
    });
  });

  it('shares a text content upload in the channel itself', async () => {
    const res = await client.filesUploadV2({
      channel_id: 'C0APPROVALS',
      content: 'step,train_loss\n1,2.4\n',
      filename: 'metrics.csv',
    });
    const file = (res.files as Array<{ files: Array<{ id: string; size: number }> }>)[0]?.files[0];
    expect(file?.size).toBe(22);
    const message = emu.messages.get('C0APPROVALS')?.[0];
    expect(message).toMatchObject({ files: [file?.id], text: '' });
    expect(message?.thread_ts).toBeUndefined();
    expect(emu.files.get(file?.id as string)?.bytes?.toString()).toBe('step,train_loss\n1,2.4\n');
  });

  it('puts several files in one message', async () => {
    await client.filesUploadV2({
      channel_id: 'C0TRAINING',
      initial_comment: 'two charts',
      file_uploads: [
        { file: BYTES, filename: 'loss.png' },
        { file: Buffer.from('second'), filename: 'accuracy.png' },
      ],
    });
    const messages = emu.messages.get('C0TRAINING') ?? [];
    expect(messages).toHaveLength(1);
    const names = messages[0]?.files?.map((id) => emu.files.get(id)?.filename);
    expect(names).toEqual(['loss.png', 'accuracy.png']);
  });

  it('refuses a channel the bot is not in', async () => {
    emu.addChannel({ id: 'C0ELSEWHERE', name: 'elsewhere', isMember: false });
    expect(
      await slackError(
        client.filesUploadV2({ channel_id: 'C0ELSEWHERE', file: BYTES, filename: 'c.png' }),
      ),
    ).toBe('not_in_channel');
    expect(emu.messages.get('C0ELSEWHERE') ?? []).toHaveLength(0);
  });
});

describe('files.getUploadURLExternal', () => {
  it('answers an upload URL on the emulator and a file id', async () => {
    const res = await client.files.getUploadURLExternal({ filename: 'a.png', length: 10 });
    expect(res.upload_url).toMatch(new RegExp(`^${emu.url}/upload/v1/[A-Za-z0-9_-]+$`));
    expect(emu.files.get(res.file_id as string)).toMatchObject({
      filename: 'a.png',
      length: 10,
      completed: false,
    });
  });

  it("answers Slack's errors for bad arguments", async () => {
    const get = (args: Record<string, unknown>) =>
      slackError(client.apiCall('files.getUploadURLExternal', args));
    expect(await get({ length: 10 })).toBe('invalid_arguments');
    expect(await get({ filename: 'a.png' })).toBe('invalid_arguments');
    expect(await get({ filename: 'a.png', length: 'ten' })).toBe('invalid_arguments');
    expect(await get({ filename: 'a.png', length: -3 })).toBe('invalid_arguments');
    expect(await get({ filename: 'a.png', length: 1.5 })).toBe('invalid_arguments');
    expect(await get({ filename: 'a.png', length: 0 })).toBe('missing_argument');
    expect(await get({ filename: 'a.png', length: 5, alt_text: 'x'.repeat(1001) })).toBe(
      'alt_txt_too_large',
    );
    expect(emu.files.size).toBe(0);
  });

  it('needs the bot token', async () => {
    const other = new WebClient('xoxb-wrong', {
      slackApiUrl: emu.apiUrl,
      retryConfig: { retries: 0 },
      logger: silent,
    });
    expect(
      await slackError(other.files.getUploadURLExternal({ filename: 'a.png', length: 1 })),
    ).toBe('invalid_auth');
  });
});

describe('the upload URL', () => {
  it('takes raw bytes and answers OK - <length>', async () => {
    const url = await client.files.getUploadURLExternal({ filename: 'a.bin', length: 4 });
    const res = await fetch(url.upload_url as string, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from([1, 2, 3, 4]),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('OK - 4');
    expect([...(emu.files.get(url.file_id as string)?.bytes ?? [])]).toEqual([1, 2, 3, 4]);
  });

  it('refuses bytes that are not the announced length', async () => {
    const url = await client.files.getUploadURLExternal({ filename: 'a.png', length: 5 });
    const res = await fetch(url.upload_url as string, { method: 'POST', body: BYTES });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/length mismatch: 12 bytes, announced 5/);
    expect(emu.files.get(url.file_id as string)?.bytes).toBeUndefined();
  });

  it('is 404 when unknown or once its file is completed', async () => {
    expect((await fetch(`${emu.url}/upload/v1/nope`, { method: 'POST', body: 'x' })).status).toBe(
      404,
    );
    const url = await client.files.getUploadURLExternal({ filename: 'a.png', length: 12 });
    await fetch(url.upload_url as string, { method: 'POST', body: BYTES });
    await client.files.completeUploadExternal({ files: [{ id: url.file_id as string }] });
    const again = await fetch(url.upload_url as string, { method: 'POST', body: BYTES });
    expect(again.status).toBe(404);
  });

  it('reads the file out of a multipart body with other parts', () => {
    const body = Buffer.concat([
      Buffer.from(
        '--XyZ\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n' +
          '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n' +
          'Content-Type: image/png\r\n\r\n',
      ),
      BYTES,
      Buffer.from('\r\n--XyZ--\r\n'),
    ]);
    expect(multipartFile(body, 'multipart/form-data; boundary=XyZ')?.equals(BYTES)).toBe(true);
    expect(multipartFile(body, 'multipart/form-data')).toBeUndefined();
  });
});

describe('files.completeUploadExternal', () => {
  it('keeps a file private without a channel: no message', async () => {
    const id = await uploaded();
    const res = await client.files.completeUploadExternal({ files: [{ id, title: 'private' }] });
    expect(res.files?.[0]).toMatchObject({ id, title: 'private', shares: {}, channels: [] });
    expect([...emu.messages.values()].flat()).toHaveLength(0);
    expect(emu.files.get(id)?.completed).toBe(true);
  });

  it('refuses unknown, unuploaded and already completed files', async () => {
    const complete = (files: unknown, extra: Record<string, unknown> = {}) =>
      slackError(client.apiCall('files.completeUploadExternal', { files, ...extra }));
    expect(await complete([{ id: 'F0NOSUCHFILE' }])).toBe('file_not_found');
    const pending = await client.files.getUploadURLExternal({ filename: 'a.png', length: 3 });
    expect(await complete([{ id: pending.file_id }])).toBe('file_not_found');
    const id = await uploaded();
    await client.files.completeUploadExternal({ files: [{ id }] });
    expect(await complete([{ id }])).toBe('file_not_found');
    expect(await complete(undefined)).toBe('invalid_arguments');
    expect(await complete([])).toBe('invalid_arguments');
    expect(await complete([{ title: 'no id' }])).toBe('invalid_arguments');
  });

  it('refuses a missing, archived or foreign channel and shares nothing then', async () => {
    emu.addChannel({ id: 'C0OLD', name: 'old', archived: true });
    emu.addChannel({ id: 'C0OUTSIDE', name: 'outside', isMember: false });
    const id = await uploaded();
    const complete = (channel_id: string, extra: Record<string, unknown> = {}) =>
      slackError(
        client.apiCall('files.completeUploadExternal', { files: [{ id }], channel_id, ...extra }),
      );
    expect(await complete('C0NOWHERE')).toBe('channel_not_found');
    expect(await complete('C0OLD')).toBe('is_archived');
    expect(await complete('C0OUTSIDE')).toBe('not_in_channel');
    expect(await complete('C0TRAINING', { thread_ts: 'yesterday' })).toBe('invalid_thread_ts');
    expect(emu.files.get(id)?.completed).toBe(false);
    // Still completable where the bot may share it.
    await client.files.completeUploadExternal({ files: [{ id }], channel_id: 'C0TRAINING' });
    expect(emu.messages.get('C0TRAINING')?.[0]?.files).toEqual([id]);
  });

  it('answers an injected failure as Slack would', async () => {
    emu.failNext('files.completeUploadExternal', 'file_uploads_disabled');
    expect(
      await slackError(
        client.filesUploadV2({ channel_id: 'C0TRAINING', file: BYTES, filename: 'a.png' }),
      ),
    ).toBe('file_uploads_disabled');
  });

  it('forgets files on reset', async () => {
    await uploaded();
    expect(emu.files.size).toBe(1);
    emu.reset();
    expect(emu.files.size).toBe(0);
  });
});
