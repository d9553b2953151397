// Campaign 12, failover: the primary holding ftops's slot is SIGKILLed under load, its replica
// takes over, and the old node is started again and rejoins as a replica (twice in the battery:
// the second time the promoted node is killed, so the slot fails back).
import { waitUntil } from '../../lib/campaign.ts';
import { clusterCampaign } from './drive.ts';
import type { Fault } from './plan.ts';

/**
 * Campaign 12, failover. A private 6-node Redis Cluster (cluster-node-timeout 2 s) backs two
 * ftops processes while status commands, approval trials (a vote and a decision each) and
 * status changes flow. The primary serving the `{ns}` slot is SIGKILLed; its replica is
 * promoted; later the old node is started on its directory and rejoins as a replica. Checked
 * as the Redis-restart campaign: processing again within 10 s, no decision lost, no pause
 * twice, every change announced, at most one duplicate per failover.
 */
export const runFailover = clusterCampaign({
  name: 'failover',
  title: '12. Failover',
  ports: { full: 7101, short: 7121 },
  async run({ cluster, slot, log, hold, begin, full }) {
    const faults: Fault[] = [];
    for (let round = 0; round < (full ? 2 : 1); round++) {
      const home = await cluster.primaryOf(slot);
      if (!home) throw new Error(`no primary serves slot ${slot}`);
      begin();
      const startAt = Date.now();
      await cluster.kill(home.port);
      let promoted: Awaited<ReturnType<typeof cluster.primaryOf>>;
      const ok = await waitUntil(
        async () => {
          promoted = await cluster.primaryOf(slot);
          return promoted !== undefined && promoted.port !== home.port;
        },
        30_000,
        50,
      );
      const endAt = Date.now();
      log(
        `killed ${home.port}; ${ok ? `${promoted?.port} promoted` : 'NO promotion'} after ${endAt - startAt} ms`,
      );
      faults.push({
        label: `SIGKILL of the primary serving the slot (${home.port})`,
        counts: true,
        startAt,
        endAt,
        detail: ok ? `replica ${promoted?.port} promoted` : '',
      });
      await hold();
      const backAt = Date.now();
      await cluster.startNode(home.port);
      const rejoined = await waitUntil(
        async () => {
          const nodes = await cluster.nodes();
          const old = nodes.find((x) => x.port === home.port);
          return old !== undefined && !old.primary && !old.failed && old.primaryId === promoted?.id;
        },
        30_000,
        100,
      );
      const rejoinedAt = Date.now();
      log(
        `${home.port} ${rejoined ? 'rejoined as a replica' : 'did NOT rejoin'} after ${rejoinedAt - backAt} ms`,
      );
      faults.push({
        label: `${home.port} started again on its directory`,
        counts: false,
        startAt: backAt,
        endAt: rejoinedAt,
        detail: rejoined ? `${home.port} rejoined as a replica of ${promoted?.port}` : '',
      });
      await hold();
    }
    return faults;
  },
});
