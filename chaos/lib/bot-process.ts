import { type ChildProcess, fork } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./bot-child.ts', import.meta.url));

/** A bot running as a child process of its own, as it would in production. */
export interface BotProcess {
  name: string;
  pid: number;
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Every line it wrote to stdout or stderr (pino JSON lines, or anything else it printed). */
  lines: string[];
  alive(): boolean;
  /** Resolves once it has exited, with its code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` (SIGKILL by default) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnBotOptions {
  name: string;
  /** The whole environment of the bot besides PATH and HOME (nothing else is inherited). */
  env: Record<string, string>;
  /** Called with every line the process writes. */
  onLine?: (line: string) => void;
  /** How long to wait for it to listen. */
  readyTimeoutMs?: number;
}

/** Starts `bot-child.ts` under tsx and resolves once it listens. */
export function spawnBot(opts: SpawnBotOptions): Promise<BotProcess> {
  const child: ChildProcess = fork(CHILD, [], {
    execArgv: ['--import', 'tsx'],
    // A clean environment: nothing of the runner's (or CI's) leaks into the bot's config.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const lines: string[] = [];
  const take = (line: string) => {
    lines.push(line);
    opts.onLine?.(line);
  };
  if (child.stdout) createInterface({ input: child.stdout }).on('line', take);
  if (child.stderr) createInterface({ input: child.stderr }).on('line', take);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let done = false;
  void exited.then(() => {
    done = true;
  });

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${opts.name} did not listen in time:\n${lines.slice(-20).join('\n')}`));
    }, opts.readyTimeoutMs ?? 30_000);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new Error(
          `${opts.name} exited (${code ?? signal}) before listening:\n${lines.slice(-20).join('\n')}`,
        ),
      );
    });
    child.once('message', (m: { type?: string; port?: number }) => {
      if (m.type !== 'ready' || typeof m.port !== 'number') return;
      clearTimeout(timer);
      const port = m.port;
      const bot: BotProcess = {
        name: opts.name,
        pid: child.pid ?? -1,
        port,
        url: `http://127.0.0.1:${port}`,
        lines,
        alive: () => !done,
        exited,
        async kill(signal = 'SIGKILL') {
          if (done) return;
          child.kill(signal);
          await exited;
        },
        async stop(graceMs = 10_000) {
          if (done) return;
          const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
          child.kill('SIGTERM');
          await exited;
          clearTimeout(t);
        },
      };
      resolve(bot);
    });
  });
}
