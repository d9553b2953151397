import type { IncomingMessage } from 'node:http';

/** What reading a request body came to. */
export type BodyRead =
  | { ok: true; body: Buffer }
  | { ok: false; reason: 'too_large' | 'too_slow' | 'aborted' };

export interface ReadBodyOptions {
  maxBytes: number;
  /** The whole body must arrive within this; a slow sender holds a socket otherwise. */
  timeoutMs: number;
}

/**
 * Reads a request body up to `maxBytes`. It stops at once, without buffering the rest, when a
 * declared `Content-Length` or the bytes received pass the limit, and when the body takes
 * longer than `timeoutMs`; the caller answers 413 or 408 and closes the connection.
 */
export function readBody(req: IncomingMessage, opts: ReadBodyOptions): Promise<BodyRead> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > opts.maxBytes) {
      resolve({ ok: false, reason: 'too_large' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: BodyRead) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.off('data', onData);
      if (!result.ok) req.pause();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ok: false, reason: 'too_slow' }), opts.timeoutMs);
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > opts.maxBytes) finish({ ok: false, reason: 'too_large' });
      else chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => finish({ ok: true, body: Buffer.concat(chunks) }));
    req.on('error', () => finish({ ok: false, reason: 'aborted' }));
    req.on('close', () => finish({ ok: false, reason: 'aborted' }));
  });
}
