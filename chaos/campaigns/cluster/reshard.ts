// Campaign 13, reshard: `redis-cli --cluster reshard` moves the slot holding ftops's keys to
// another primary and back, under load.
import { clusterCampaign } from './drive.ts';
import type { Fault } from './plan.ts';
import { namespaceInSlot } from './slot.ts';

/**
 * Campaign 13, reshard. As the failover campaign, but the fault is a live slot migration:
 * ftops's namespace is chosen to hash to slot 0, the first slot of its primary, so
 * `redis-cli --cluster reshard --cluster-slots 1` moves exactly that slot (keys MIGRATEd in
 * batches while the bots keep working, ASK and TRYAGAIN replies in between) to another
 * primary, and then back.
 */
export const runReshard = clusterCampaign({
  name: 'reshard',
  title: '13. Reshard',
  ports: { full: 7111, short: 7131 },
  namespace: (seed) => namespaceInSlot(`reshard-${seed}`, 0),
  async run({ cluster, slot, log, hold, begin, full }) {
    const faults: Fault[] = [];
    for (let move = 0; move < (full ? 4 : 2); move++) {
      const nodes = await cluster.nodes();
      const from = nodes.find(
        (x) => x.primary && !x.failed && x.slots.some(([a, b]) => slot >= a && slot <= b),
      );
      const to = nodes.find((x) => x.primary && !x.failed && x.id !== from?.id);
      if (!from || !to) throw new Error(`no primaries to move slot ${slot} between`);
      // reshard takes a source's lowest slots first: slot 0 must be the lowest it has.
      const lowest = Math.min(...from.slots.map(([a]) => a));
      if (lowest !== slot) throw new Error(`slot ${slot} is not the lowest of ${from.port}`);
      begin();
      const startAt = Date.now();
      const out = await cluster.tool(
        'reshard',
        `127.0.0.1:${from.port}`,
        '--cluster-from',
        from.id,
        '--cluster-to',
        to.id,
        '--cluster-slots',
        '1',
        '--cluster-yes',
      );
      const endAt = Date.now();
      const moved = (await cluster.primaryOf(slot))?.port === to.port;
      const keys = (out.match(/^Moving slot \d+ from/gm) ?? []).length;
      log(
        `slot ${slot} ${from.port} → ${to.port}: ${moved ? 'moved' : 'NOT moved'} in ${endAt - startAt} ms`,
      );
      faults.push({
        label: `slot ${slot} moved ${from.port} → ${to.port} by redis-cli --cluster reshard`,
        counts: true,
        startAt,
        endAt,
        detail: moved ? `${from.port} → ${to.port}${keys > 0 ? '' : ' (no keys listed)'}` : '',
      });
      await hold();
    }
    return faults;
  },
});
