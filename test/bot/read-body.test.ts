import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type BodyRead, readBody } from '../../src/bot/read-body.ts';

let server: Server;
afterEach(() => server?.close());

/** A server that reads with `readBody` and reports what it came to and how much it read. */
async function serve(opts: { maxBytes: number; timeoutMs: number }) {
  const results: Array<BodyRead & { bytesSeen: number }> = [];
  server = createServer((req, res) => {
    readBody(req, opts).then((r) => {
      // Bytes the server's socket had taken in (headers included) when readBody gave up.
      results.push({ ...r, bytesSeen: req.socket.bytesRead });
      res.setHeader('connection', 'close');
      res.end(r.ok ? 'ok' : r.reason);
      if (!r.ok) res.on('finish', () => req.socket.destroy());
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, results };
}

describe('readBody', () => {
  it('returns a body within the limit whole', async () => {
    const { port, results } = await serve({ maxBytes: 1000, timeoutMs: 1000 });
    const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'a=1' });
    expect(await res.text()).toBe('ok');
    expect(results[0]).toMatchObject({ ok: true });
    expect((results[0] as { body: Buffer }).body.toString()).toBe('a=1');
  });

  it('refuses a declared Content-Length over the limit without reading the body', async () => {
    const { port, results } = await serve({ maxBytes: 1000, timeoutMs: 1000 });
    const res = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      body: 'x'.repeat(8 * 1024 * 1024),
    }).catch(() => null);
    if (res) expect(await res.text()).toBe('too_large');
    await expect.poll(() => results.length).toBe(1);
    expect(results[0]).toMatchObject({ ok: false, reason: 'too_large' });
    expect(results[0]?.bytesSeen).toBeLessThan(1024 * 1024);
  });

  it('stops reading a chunked body as soon as it passes the limit', async () => {
    const { port, results } = await serve({ maxBytes: 64 * 1024, timeoutMs: 5000 });
    const req = request({ port, host: '127.0.0.1', method: 'POST' });
    req.on('error', () => {});
    const chunk = Buffer.alloc(16 * 1024, 'x');
    // Keep sending well past the limit; the server must not take it all in.
    for (let i = 0; i < 200 && !req.destroyed; i++) {
      if (!req.write(chunk)) await Promise.race([once(req, 'drain'), once(req, 'close')]);
      if (results.length > 0) break;
    }
    req.destroy();
    await expect.poll(() => results.length).toBe(1);
    expect(results[0]).toMatchObject({ ok: false, reason: 'too_large' });
    expect(results[0]?.bytesSeen).toBeLessThan(1024 * 1024);
  });

  it('gives up on a body that arrives too slowly', async () => {
    const { port, results } = await serve({ maxBytes: 1000, timeoutMs: 200 });
    const req = request({ port, host: '127.0.0.1', method: 'POST' });
    req.on('error', () => {});
    req.write('a=');
    await expect.poll(() => results.length, { timeout: 2000 }).toBe(1);
    req.destroy();
    expect(results[0]).toMatchObject({ ok: false, reason: 'too_slow' });
  });
});
