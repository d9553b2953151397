/**
 * Several resources (issue 17): 20 fine-tuning resources of 5,000 jobs each, 10 % watched,
 * swept by one real ftops worker. Each resource's sweep is held to the fewest requests
 * possible for that resource, and its time is measured; then one resource hangs (accepts
 * connections, never answers) and the other resources' sweep times and the ack latency of
 * `/ft` on a healthy resource are set beside the same world without it, in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSlackEmulator } from '../../src/emulators/slack/index.ts';
import { openNamespace } from '../namespace.ts';
import type { BenchResult } from '../report.ts';
import { seededRandom } from '../stats.ts';
import { measureAcks } from './ack.ts';
import { measureSweeps } from './sweeps.ts';
import { resourcesResult } from './tables.ts';
import {
  ftopsEnv,
  type Resource,
  startHangingServer,
  startResources,
  watchJobs,
  writeConfigFile,
} from './world.ts';

/**
 * Sweep interval of the ack half's processes: each sweeps every resource once at start and
 * not again while measured, so the hung sweep (its tries of 30 s each) is the one sweep
 * running, and the idle process does not take the measured one's CPU.
 */
const ACK_POLL_INTERVAL_S = 3600;
/** Watched jobs per resource in the ack half: one page a sweep. */
const ACK_WATCHED = 50;

/** Runs the resources bench and returns its tables and targets. */
export async function benchResources(): Promise<BenchResult> {
  const slack = await startSlackEmulator();
  const dir = mkdtempSync(join(tmpdir(), 'ftops-bench-resources-'));
  const spaces = Array.from({ length: 4 }, () => openNamespace());
  const [sweepBase, sweepHang, ackBase, ackHang] = spaces as [
    (typeof spaces)[0],
    (typeof spaces)[0],
    (typeof spaces)[0],
    (typeof spaces)[0],
  ];
  let resources: Resource[] = [];
  try {
    resources = await startResources(seededRandom(17), Date.UTC(2026, 0, 15, 12));
    const hangingJobs = resources[0]!.watched.length;

    // The same watches in both namespaces, those on `stuck` too (the baseline's sweepers pass
    // over them as another resource's), so the one difference is the hanging resource itself.
    await watchJobs(sweepBase, resources, { hangingJobs });
    await watchJobs(sweepHang, resources, { hangingJobs });
    const sweepHanging = await startHangingServer();
    const sweeps = await measureSweeps(
      resources,
      {
        baseline: ftopsEnv(
          slack,
          sweepBase,
          writeConfigFile(dir, 'sweep.yaml', resources, undefined, 3600),
          'worker',
        ),
        hanging: ftopsEnv(
          slack,
          sweepHang,
          writeConfigFile(dir, 'sweep-hanging.yaml', resources, sweepHanging, 3600),
          'worker',
        ),
      },
      sweepHanging,
    );
    const sweepHangingRequests = sweepHanging.requests();

    await watchJobs(ackBase, resources, { perResource: ACK_WATCHED, hangingJobs: ACK_WATCHED });
    await watchJobs(ackHang, resources, { perResource: ACK_WATCHED, hangingJobs: ACK_WATCHED });
    const ackHanging = await startHangingServer();
    const acks = await measureAcks(
      slack,
      resources[0]!,
      {
        baseline: ftopsEnv(
          slack,
          ackBase,
          writeConfigFile(dir, 'ack.yaml', resources, undefined, ACK_POLL_INTERVAL_S),
          'all',
        ),
        hanging: ftopsEnv(
          slack,
          ackHang,
          writeConfigFile(dir, 'ack-hanging.yaml', resources, ackHanging, ACK_POLL_INTERVAL_S),
          'all',
        ),
      },
      ackHanging,
    );
    return resourcesResult({
      resources,
      sweeps,
      acks,
      hangingRequests: { sweep: sweepHangingRequests, ack: ackHanging.requests() },
      ack: { pollIntervalS: ACK_POLL_INTERVAL_S, watched: ACK_WATCHED },
    });
  } finally {
    await Promise.all(resources.map((r) => r.ft.close()));
    await slack.close();
    await Promise.all(spaces.map((s) => s.cleanup()));
    rmSync(dir, { recursive: true, force: true });
  }
}
