// A redis-server of the campaign's own (its port, its directory, AOF fsynced on every write),
// so the outage never touches the machine's shared Redis.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface PrivateRedis {
  port: number;
  url: string;
  dir: string;
  /** How many times it was started. */
  starts: number;
  /** Starts it (again) on the same port and dir; resolves once it accepts connections. */
  start(): Promise<void>;
  /** SIGTERM, and waits for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  running(): boolean;
  /** Kills it if running and removes its directory. */
  destroy(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'ftops-redis-restart-'));
  let child: ChildProcess | undefined;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  let alive = false;
  // If the runner dies, the server must not outlive it.
  const onExit = () => child?.kill('SIGKILL');
  process.once('exit', onExit);
  const self: PrivateRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    starts: 0,
    running: () => alive,
    start() {
      const proc = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--dir',
          dir,
          '--appendonly',
          'yes',
          '--appendfsync',
          'always',
          '--save',
          '',
          '--daemonize',
          'no',
          '--logfile',
          '',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = proc;
      alive = true;
      self.starts++;
      exited = new Promise((resolve) =>
        proc.once('exit', (code, signal) => {
          alive = false;
          resolve({ code, signal });
        }),
      );
      const tail: string[] = [];
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          proc.kill('SIGKILL');
          reject(new Error(`redis-server did not start:\n${tail.join('\n')}`));
        }, 15_000);
        const onLine = (line: string) => {
          tail.push(line);
          if (tail.length > 20) tail.shift();
          if (/Ready to accept connections/.test(line)) {
            clearTimeout(timer);
            resolve();
          }
        };
        if (proc.stdout) createInterface({ input: proc.stdout }).on('line', onLine);
        if (proc.stderr) createInterface({ input: proc.stderr }).on('line', onLine);
        void exited?.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(new Error(`redis-server exited (${code ?? signal}):\n${tail.join('\n')}`));
        });
      });
    },
    async stop() {
      if (!child || !exited) throw new Error('redis-server is not running');
      child.kill('SIGTERM');
      return exited;
    },
    async destroy() {
      if (alive && child) {
        child.kill('SIGKILL');
        await exited;
      }
      process.removeListener('exit', onExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return self;
}

/** A free TCP port on loopback (never 6379, the shared Redis). */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const addr = srv.address();
        const p = typeof addr === 'object' && addr ? addr.port : 0;
        srv.close(() => resolve(p));
      });
    });
    if (port > 0 && port !== 6379) return port;
  }
}
