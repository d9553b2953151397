import { Agent, request } from 'undici';

/**
 * One HTTP attempt over a keep-alive undici Agent, with its own timeout. It only moves bytes
 * and says how an attempt failed; retries, auth and parsing live in client.ts.
 */

/** A whole answer: status, lower-cased headers, body text. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One attempt to send. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Refuse a body longer than this (bytes): the attempt fails as `too-large`, nothing retried. */
  maxBodyBytes?: number;
}

/** Why an attempt got no answer: the caller aborted, the timeout fired, or the network failed. */
export class TransportError extends Error {
  constructor(
    readonly kind: 'abort' | 'timeout' | 'network' | 'too-large',
    cause?: unknown,
  ) {
    super(`transport ${kind}`, cause === undefined ? undefined : { cause });
    this.name = 'TransportError';
  }
}

/** Sends attempts over one connection pool; `close` releases it. */
export interface Transport {
  send(req: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

/** A transport with one keep-alive Agent (pools are kept per origin inside it). */
export function createTransport(): Transport {
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 16 });
  let closing: Promise<void> | undefined;
  return {
    async send(req) {
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(), req.timeoutMs);
      const signal = req.signal ? AbortSignal.any([req.signal, timeout.signal]) : timeout.signal;
      try {
        const res = await request(req.url, {
          method: req.method,
          headers: req.headers,
          dispatcher: agent,
          signal,
        });
        // The timeout also covers reading the body: a server that stalls mid-body is cut off.
        const body =
          req.maxBodyBytes === undefined
            ? await res.body.text()
            : await boundedText(res.body, res.headers, req.maxBodyBytes);
        return { status: res.statusCode, headers: res.headers, body };
      } catch (err) {
        if (err instanceof TransportError) throw err;
        if (req.signal?.aborted) throw new TransportError('abort', err);
        if (timeout.signal.aborted) throw new TransportError('timeout', err);
        throw new TransportError('network', err);
      } finally {
        clearTimeout(timer);
      }
    },
    // Idempotent: shutdown paths may close twice.
    close: () => {
      closing ??= agent.close();
      return closing;
    },
  };
}

/** Reads a body of at most `max` bytes, refusing a longer one as soon as it shows. */
async function boundedText(
  body: AsyncIterable<Buffer> & { destroy(err?: Error): unknown },
  headers: HttpResponse['headers'],
  max: number,
): Promise<string> {
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    body.destroy();
    throw new TransportError('too-large');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      body.destroy();
      throw new TransportError('too-large');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
