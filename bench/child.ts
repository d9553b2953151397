import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Bench helpers run in child processes of their own (the app under test, the load
 * generator, the worker whose memory is measured), so what is measured shares no event loop
 * with the emulators. Each child talks JSON over the IPC channel.
 */

/** A child process started with tsx, and a typed way to talk to it. */
export interface BenchChild<Out> {
  process: ChildProcess;
  /** Resolves with the next message the child sends (rejects if it exits first). */
  next(): Promise<Out>;
  send(message: unknown): void;
  /** Resolves when the child has exited; kills it after `graceMs`. */
  exited(graceMs?: number): Promise<number | null>;
}

/** Forks `bench/<file>` under tsx with `env` added to this process's environment. */
export function forkBench<Out>(
  file: string,
  env: Record<string, string> = {},
  nodeFlags: string[] = [],
): BenchChild<Out> {
  const path = fileURLToPath(new URL(`./${file}`, import.meta.url));
  const child = fork(path, [], {
    execArgv: ['--import', 'tsx', ...nodeFlags],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const inbox: Out[] = [];
  const waiting: Array<{ resolve: (m: Out) => void; reject: (e: Error) => void }> = [];
  let exitCode: number | null | undefined;
  const exit = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      exitCode = code;
      for (const w of waiting.splice(0)) w.reject(new Error(`${file} exited with code ${code}`));
      resolve(code);
    });
  });
  child.on('message', (m) => {
    const w = waiting.shift();
    if (w) w.resolve(m as Out);
    else inbox.push(m as Out);
  });
  return {
    process: child,
    next() {
      const m = inbox.shift();
      if (m !== undefined) return Promise.resolve(m);
      if (exitCode !== undefined)
        return Promise.reject(new Error(`${file} exited with code ${exitCode}`));
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    send(message) {
      child.send(message as never);
    },
    async exited(graceMs = 15_000) {
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exit;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** In a child: sends one message to the parent. */
export function tellParent(message: unknown): void {
  process.send?.(message);
}

/** In a child: resolves with the next message from the parent. */
export function fromParent<T>(): Promise<T> {
  return new Promise((resolve) => process.once('message', (m) => resolve(m as T)));
}
