import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFineTuningClient } from '../../src/api/client.ts';
import { InvalidJobIdError, InvalidResponseError, NotFoundError } from '../../src/api/errors.ts';
import { listEventsSince } from '../../src/api/events.ts';
import { MAX_FILE_BYTES } from '../../src/api/files.ts';
import { noDelayRetryPolicy } from '../../src/api/retry.ts';
import {
  type FineTuningEmulator,
  startFineTuningEmulator,
} from '../../src/emulators/fine-tuning/index.ts';

/** Files and incremental events, over real HTTP: the emulator, and a server that sends too much. */

let emu: FineTuningEmulator;
let big: Server;
let bigUrl: string;
const clients: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  emu = await startFineTuningEmulator({ startTime: Date.UTC(2025, 0, 1) });
  const chunk = Buffer.alloc(1024 * 1024, 'a');
  big = createServer((req, res) => {
    const declared = req.url?.includes('declared');
    res.writeHead(200, declared ? { 'content-length': String(40 * chunk.length) } : {});
    let sent = 0;
    const more = () => {
      while (sent < 40 && !res.destroyed) {
        sent++;
        if (!res.write(chunk)) return void res.once('drain', more);
      }
      res.end();
    };
    more();
  });
  await new Promise<void>((r) => big.listen(0, '127.0.0.1', r));
  bigUrl = `http://127.0.0.1:${(big.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await emu.close();
  big.closeAllConnections();
  await new Promise((r) => big.close(r));
});

const client = (baseUrl = emu.azureBaseUrl) => {
  const c = createFineTuningClient({
    baseUrl,
    auth: { type: 'api-key', key: 'test-key' },
    retryPolicy: noDelayRetryPolicy,
  });
  clients.push(c);
  return c;
};

describe('getFileContent', () => {
  it('returns the result file as the service sent it', async () => {
    const job = emu.addJob({ status: 'succeeded', steps: 5 });
    const text = await client().getFileContent(job.result_files![0]!);
    expect(text.split('\n')).toHaveLength(7);
  });

  it('names the file when it is not found, and refuses an ID that is not one', async () => {
    const err = await client()
      .getFileContent('file-nope')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toBe(
      'The file file-nope was not found (404): File file-nope was not found.',
    );
    await expect(client().getFileContent('../jobs')).rejects.toBeInstanceOf(InvalidJobIdError);
  });

  it.each([
    ['streamed', '/files/file-a/content'],
    ['declared', '/files/file-declared/content'],
  ])('refuses a %s body over %s bytes at once, without retrying', async (_, path) => {
    const c = client(bigUrl);
    const err = await c.getFileContent(path.split('/')[2]!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect(err).toMatchObject({ code: 'response_too_large', attempts: 1 });
    expect((err as Error).message).toBe(
      `The answer to the request to read the file ${path.split('/')[2]} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB, more than ftops reads.`,
    );
  });
});

describe('listEventsSince', () => {
  it('pages to the last event seen and stops there', async () => {
    const c = client();
    const { id } = emu.addJob({ status: 'running', step: 0, steps: 100 });
    emu.clock.advance(45_000);
    const first = await listEventsSince(c, id, undefined, { pageSize: 10 });
    expect(first.complete).toBe(true);
    expect(first.events[0]!.message).toBe('Created fine-tuning job');
    expect(first.events.at(-1)!.message).toMatch(/^Step 45\/100/);
    emu.clock.advance(12_000);
    const next = await listEventsSince(c, id, first.cursor, { pageSize: 10 });
    expect(next.requests).toBe(2);
    expect(next.events.map((e) => (e.data as { step: number }).step)).toEqual(
      Array.from({ length: 12 }, (_, i) => 46 + i),
    );
    const none = await listEventsSince(c, id, next.cursor, { pageSize: 10 });
    expect(none).toMatchObject({ events: [], cursor: next.cursor, requests: 1, complete: true });
  });

  it('stops after maxPages, keeping the newest, and says it is incomplete', async () => {
    const { id } = emu.addJob({ status: 'running', step: 0, steps: 100 });
    emu.clock.advance(50_000);
    const r = await listEventsSince(client(), id, undefined, { pageSize: 5, maxPages: 2 });
    expect(r).toMatchObject({ complete: false, requests: 2 });
    expect(r.events.map((e) => (e.data as { step: number }).step)).toEqual([
      41, 42, 43, 44, 45, 46, 47, 48, 49, 50,
    ]);
  });
});
