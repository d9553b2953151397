import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REDIS_URL } from '../support/redis.ts';
import { CHANNEL, type Harness, OTHER_CHANNEL, startHarness, waitFor } from './harness.ts';

const CHILD = fileURLToPath(new URL('./fixtures/sweep-child.ts', import.meta.url));

let h: Harness;
const children: ChildProcess[] = [];

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.length = 0;
  await h.close();
});

/** Runs one sweep in a child process; resolves with its stdout once `until` appears or it exits. */
function runChild(
  crashAfter: number,
  until: string,
): Promise<{ child: ChildProcess; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: {
      ...process.env,
      CRASH_AFTER: String(crashAfter),
      NAMESPACE: h.namespace,
      REDIS_URL,
      FT_BASE_URL: h.ft.azureBaseUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => {
    out += String(d);
  });
  child.stderr?.on('data', (d) => {
    err += String(d);
  });
  return new Promise((resolve, reject) => {
    child.on('exit', (code) =>
      out.includes(until)
        ? resolve({ child, out })
        : reject(new Error(`child exited ${code}: ${err}`)),
    );
    const check = setInterval(() => {
      if (out.includes(until)) {
        clearInterval(check);
        resolve({ child, out });
      }
    }, 20);
    child.on('exit', () => clearInterval(check));
  });
}

describe('a sweep killed mid-way', () => {
  it('loses nothing and announces nothing twice after a restart', async () => {
    const jobs = Array.from({ length: 4 }, () => h.ft.addJob({ status: 'running' }));
    for (const j of jobs) {
      await h.subs.watch(CHANNEL, j.id);
      await h.subs.watch(OTHER_CHANNEL, j.id);
    }
    await h.newSweeper().sweep(); // first sight of every job, silently
    for (const j of jobs) h.ft.setStatus(j.id, 'paused');

    // Killed right after recording the second change, before it reached the notify queue.
    const { child, out } = await runChild(2, 'hanging');
    expect(out.match(/^recorded /gm)).toHaveLength(2);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(await h.redis.hlen(h.keys.transitionOutbox())).toBe(2);

    // Restarted: the two recorded changes come from the outbox, the other two are detected now.
    const restarted = await runChild(0, 'done');
    expect(restarted.out.match(/^recorded /gm)).toHaveLength(2);
    h.startNotifyWorker();
    await waitFor(() => h.messages(CHANNEL).length >= 4 && h.messages(OTHER_CHANNEL).length >= 4);
    await h.settle();
    for (const channel of [CHANNEL, OTHER_CHANNEL]) {
      const ids = h.messages(channel).map((m) => m.text.match(/ftjob-[\w-]+/)?.[0]);
      expect(ids.sort()).toEqual(jobs.map((j) => j.id).sort());
    }
  });
});
