/**
 * Child process: the load generator of the ack bench. It gets pre-signed requests from the
 * parent and sends them with a fixed concurrency over keep-alive connections, timing each
 * from the first byte sent to the last byte of the HTTP answer (the ack). Running apart from
 * the emulators and the app keeps its own timers honest.
 */
import { Pool } from 'undici';
import { fromParent, tellParent } from './child.ts';

/** One request to send: a raw body with its Slack signature headers. */
export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

/** A batch to send; `{ cmd: 'exit' }` ends the child. */
export type LoadCommand =
  | { cmd: 'run'; url: string; path: string; concurrency: number; requests: SignedRequest[] }
  | { cmd: 'exit' };

/** What one batch measured. */
export interface LoadResult {
  latencies: number[];
  /** When each request's answer was complete, wall-clock ms (`Date.now` scale), by index. */
  doneAt: number[];
  statuses: Record<string, number>;
  wallMs: number;
}

const pools = new Map<string, Pool>();

async function run(c: Extract<LoadCommand, { cmd: 'run' }>): Promise<LoadResult> {
  let pool = pools.get(c.url);
  if (!pool) {
    pool = new Pool(c.url, { connections: c.concurrency, keepAliveTimeout: 30_000 });
    pools.set(c.url, pool);
  }
  const latencies: number[] = [];
  const doneAt: number[] = new Array(c.requests.length).fill(0);
  const statuses: Record<string, number> = {};
  let next = 0;
  const t0 = performance.now();
  const lane = async () => {
    for (let i = next++; i < c.requests.length; i = next++) {
      const r = c.requests[i]!;
      const start = performance.now();
      let status: string;
      try {
        const res = await pool.request({
          method: 'POST',
          path: c.path,
          body: r.body,
          headers: r.headers,
        });
        await res.body.text();
        status = String(res.statusCode);
      } catch (err) {
        status = err instanceof Error ? err.name : 'error';
      }
      const end = performance.now();
      latencies.push(end - start);
      doneAt[i] = performance.timeOrigin + end;
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: c.concurrency }, lane));
  return { latencies, doneAt, statuses, wallMs: performance.now() - t0 };
}

for (;;) {
  const c = await fromParent<LoadCommand>();
  if (c.cmd === 'exit') break;
  tellParent(await run(c));
}
await Promise.all([...pools.values()].map((p) => p.close()));
process.disconnect?.();
