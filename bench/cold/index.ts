/**
 * Cold start (issue 20): from spawning the process to the first `GET /readyz` answered 200,
 * for the built web process (`node dist/bot/main.js`, FT_ROLE=web: config, Redis, auth.test,
 * Bolt) next to a bare Bolt app under plain node, median of rounds, same run.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFineTuningEmulator } from '../../src/emulators/fine-tuning/index.ts';
import { startSlackEmulator } from '../../src/emulators/slack/index.ts';
import { freePort } from '../../src/sandbox/ports.ts';
import { openNamespace } from '../namespace.ts';
import { builtEnv, ensureBuilt } from '../poller/built-worker.ts';
import type { BenchResult } from '../report.ts';
import { median, ms, ratio } from '../stats.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ROUNDS = 5;

/** Spawns `args` under plain node and resolves with the ms until /readyz answers 200. */
async function coldStart(args: string[], env: Record<string, string>): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited (${child.exitCode})`);
      if (performance.now() - t0 > 30_000) throw new Error(`${args.join(' ')}: not ready in 30 s`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return performance.now() - t0;
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

export async function benchColdStart(): Promise<BenchResult> {
  ensureBuilt();
  const [ft, slack] = await Promise.all([startFineTuningEmulator(), startSlackEmulator()]);
  const ns = openNamespace();
  const env = { ...builtEnv(ft, slack, ns.namespace), FT_ROLE: 'web' };
  try {
    const bolt: number[] = [];
    const ftops: number[] = [];
    // Alternating, so a slower moment of the machine falls on both.
    for (let i = 0; i < ROUNDS; i++) {
      bolt.push(await coldStart(['bench/cold/bare-bolt.mjs'], env));
      ftops.push(await coldStart(['dist/bot/main.js'], env));
    }
    const b = median(bolt);
    const f = median(ftops);
    const per = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' / ');
    return {
      name: 'cold-start',
      title: 'Cold start (issue 20): process start to GET /readyz 200',
      tables: [
        {
          title: `Median of ${ROUNDS} starts each, plain node, rounds alternating`,
          head: ['process', 'median', '÷ bare Bolt', 'each start (ms)'],
          rows: [
            ['bare Bolt app (baseline)', ms(b), '1.00×', per(bolt)],
            ['ftops web role, built (node dist/bot/main.js)', ms(f), ratio(f / b), per(ftops)],
          ],
        },
      ],
      targets: [],
      notes: [
        'ftops is ready once its config is validated, Redis answers, Slack answered auth.test (the workspace guard) and Bolt listens; the bare Bolt app only listens. Both answer /readyz from the same HTTP server that takes Slack requests.',
      ],
    };
  } finally {
    await Promise.all([ft.close(), slack.close()]);
    await ns.cleanup();
  }
}
