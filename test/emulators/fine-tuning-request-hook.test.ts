import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type FineTuningEmulator,
  type HeldRequest,
  startFineTuningEmulator,
} from '../../src/emulators/fine-tuning/index.ts';

/**
 * `onRequest` lets a test act while a request is held: before its effect (`received`) or
 * after it and before the answer (`handled`). The approval-crashes campaign kills the caller
 * there. Driven over real HTTP on loopback.
 */

let emu: FineTuningEmulator;
const KEY = { 'api-key': 'test-key' };

beforeEach(async () => {
  emu = await startFineTuningEmulator();
});
afterEach(async () => {
  await emu.close();
});

const pause = (id: string) =>
  fetch(`${emu.azureBaseUrl}/fine_tuning/jobs/${id}/pause`, { method: 'POST', headers: KEY });

/** POSTs a pause and destroys the connection when `abort` resolves, as a killed caller would. */
function pauseThenVanish(id: string, abort: Promise<void>): Promise<string> {
  return new Promise((resolve) => {
    const url = new URL(`${emu.azureBaseUrl}/fine_tuning/jobs/${id}/pause`);
    const req = httpRequest(url, { method: 'POST', headers: KEY }, (res) => {
      res.resume();
      res.on('end', () => resolve(`answered ${res.statusCode}`));
    });
    req.on('error', () => resolve('no answer'));
    req.end();
    void abort.then(() => req.destroy());
  });
}

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('fine-tuning emulator onRequest hook', () => {
  it('sees each request before and after its effect, and the request waits for it', async () => {
    const job = emu.addJob();
    const seen: Array<{
      stage: string;
      method: string;
      path: string;
      status: number;
      job: string;
    }> = [];
    emu.onRequest(async (req) => {
      await new Promise((r) => setTimeout(r, 30));
      seen.push({
        stage: req.stage,
        method: req.method,
        path: req.path,
        status: req.status,
        job: emu.getJob(job.id)?.status ?? '',
      });
    });
    const res = await pause(job.id);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('pausing');
    expect(seen).toEqual([
      {
        stage: 'received',
        method: 'POST',
        path: `/fine_tuning/jobs/${job.id}/pause`,
        status: 0,
        job: 'running',
      },
      {
        stage: 'handled',
        method: 'POST',
        path: `/fine_tuning/jobs/${job.id}/pause`,
        status: 200,
        job: 'pausing',
      },
    ]);
  });

  it('drops a request whose caller went away while held before the effect', async () => {
    const job = emu.addJob();
    let gone: () => void = () => {};
    const vanish = new Promise<void>((r) => {
      gone = r;
    });
    let sawGone = false;
    emu.onRequest(async (req) => {
      if (req.stage !== 'received') return;
      gone();
      await waitFor(req.clientGone);
      sawGone = req.clientGone();
    });
    expect(await pauseThenVanish(job.id, vanish)).toBe('no answer');
    await waitFor(() => emu.requests[0]?.status === 0 && sawGone);
    expect(sawGone).toBe(true);
    expect(emu.getJob(job.id)?.status).toBe('running');
    expect(emu.requests.map((r) => r.status)).toEqual([0]);
  });

  it('keeps the effect but sends no answer when the caller went away after it', async () => {
    const job = emu.addJob();
    let gone: () => void = () => {};
    const vanish = new Promise<void>((r) => {
      gone = r;
    });
    const stages: HeldRequest['stage'][] = [];
    emu.onRequest(async (req) => {
      stages.push(req.stage);
      if (req.stage !== 'handled') return;
      gone();
      await waitFor(req.clientGone);
    });
    expect(await pauseThenVanish(job.id, vanish)).toBe('no answer');
    expect(stages).toEqual(['received', 'handled']);
    expect(emu.getJob(job.id)?.status).toBe('pausing');
    expect(emu.requests.map((r) => r.status)).toEqual([200]);
  });

  it('a failing hook does not fail the request, and a removed hook is not called', async () => {
    const job = emu.addJob();
    let calls = 0;
    const remove = emu.onRequest(() => {
      calls++;
      throw new Error('hook broke');
    });
    const first = await fetch(`${emu.azureBaseUrl}/fine_tuning/jobs/${job.id}`, { headers: KEY });
    expect(first.status).toBe(200);
    expect(calls).toBe(2);
    remove();
    const second = await pause(job.id);
    expect(second.status).toBe(200);
    expect(calls).toBe(2);
  });
});
