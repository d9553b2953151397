import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FineTuningJob } from '../../api/schemas.ts';
import { createVirtualClock } from './clock.ts';
import { demoJobs } from './demo.ts';
import type {
  FineTuningEmulator,
  FineTuningEmulatorOptions,
  RecordedRequest,
  RequestHook,
} from './emulator-types.ts';
import { FaultPlan } from './faults.ts';
import { JobStore } from './job-store.ts';
import { createRequestHandler } from './request-handler.ts';
import type { ApiContext } from './routes.ts';
import { setStatusByHand } from './transitions.ts';
import { createWebhookSender } from './webhooks.ts';

export type {
  FineTuningEmulator,
  FineTuningEmulatorOptions,
  HeldRequest,
  RecordedRequest,
  RequestHook,
} from './emulator-types.ts';
export type { FaultConfig, FaultKind } from './faults.ts';
export type {
  AddJobInput,
  JobDurations,
  JobFailure,
  PauseMode,
  ResultFileFormat,
  ResumeMode,
  TrainingCurve,
} from './sim-types.ts';
export type { WebhookAttempt, WebhookDelivery, WebhookTarget } from './webhooks.ts';

/** Starts the emulator; resolves once it listens. */
export async function startFineTuningEmulator(
  opts: FineTuningEmulatorOptions = {},
): Promise<FineTuningEmulator> {
  const webhooks = opts.webhooks ? createWebhookSender(opts.webhooks) : undefined;
  const store = new JobStore(
    webhooks &&
      ((sim) => webhooks.jobFinished(sim.job.id, sim.job.status, sim.job.finished_at ?? 0)),
  );
  const faults = new FaultPlan();
  const clock = createVirtualClock(opts.startTime ?? Date.now(), (now) => store.advance(now));
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const hooks = new Set<RequestHook>();
  const bearer = opts.bearerTokens ?? ['test-token'];
  const ctx: ApiContext = {
    store,
    now: () => clock.now(),
    apiKey: opts.apiKey ?? 'test-key',
    acceptBearer: typeof bearer === 'function' ? bearer : (t) => bearer.includes(t),
    pauseMode: opts.pauseMode ?? 'two-step',
    resumeMode: opts.resumeMode ?? 'two-step',
    ...(opts.resultFiles ? { resultFiles: opts.resultFiles } : {}),
  };

  let wall = Date.now();
  const followWallTime = () => {
    const w = Date.now();
    if (w > wall) clock.advance(w - wall);
    wall = w;
  };
  const ticker = opts.realTime ? setInterval(followWallTime, 250) : undefined;
  ticker?.unref();

  const handle = createRequestHandler({
    ctx,
    faults,
    clock,
    requests,
    hooks,
    timers,
    ...(opts.realTime ? { beforeRequest: followWallTime } : {}),
  });

  const server = createServer((req, res) => void handle(req, res));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const emulator: FineTuningEmulator = {
    url,
    azureBaseUrl: `${url}/openai/v1`,
    openaiBaseUrl: `${url}/v1`,
    clock,
    requests,
    addJob: (partial = {}) => wireCopy(store.add(partial, clock.now()).job),
    getJob: (id) => {
      const sim = store.get(id);
      return sim ? wireCopy(sim.job) : undefined;
    },
    removeJob(id) {
      if (!store.remove(id)) throw new Error(`no emulated job ${id}`);
    },
    setStatus(id, status, extra = {}) {
      const sim = store.get(id);
      if (!sim) throw new Error(`no emulated job ${id}`);
      const createdAt = sim.job.created_at;
      setStatusByHand(sim, status, extra, clock.now());
      store.changed(sim, createdAt);
    },
    setFaults: (f) => faults.set(f),
    failNext: (n, kind) => faults.failNext(n, kind),
    onRequest(hook) {
      hooks.add(hook);
      return () => void hooks.delete(hook);
    },
    webhookDeliveries: webhooks?.deliveries ?? [],
    async redeliverWebhook(webhookId) {
      if (!webhooks) throw new Error('the emulator was started without webhooks');
      return webhooks.redeliver(webhookId);
    },
    webhooksSettled: () => webhooks?.settled() ?? Promise.resolve(),
    reset() {
      hooks.clear();
      store.clear();
      faults.reset();
      requests.length = 0;
      webhooks?.reset();
    },
    async close() {
      if (ticker) clearInterval(ticker);
      await webhooks?.close();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive and hanging (timeout-fault) sockets would hold close() open; end them now.
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
  if (opts.seedDemoJobs) for (const job of demoJobs(clock.now())) emulator.addJob(job);
  return emulator;
}

/** The job as a client would get it over the wire (and a copy the caller cannot mutate). */
function wireCopy(job: FineTuningJob): FineTuningJob {
  return JSON.parse(JSON.stringify(job)) as FineTuningJob;
}
