// A Redis Cluster of the campaign's own (6 nodes from scripts/redis-cluster.sh on ports and a
// directory of its own), so a killed primary or a moved slot never touches the CI cluster on
// 7001-7006 or the machine's shared Redis.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { waitUntil } from './campaign.ts';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../scripts/redis-cluster.sh', import.meta.url));

/** One node as `CLUSTER NODES` lists it. */
export interface ClusterNode {
  id: string;
  port: number;
  primary: boolean;
  failed: boolean;
  /** For a replica, the ID of its primary. */
  primaryId?: string;
  /** Slot ranges it serves (primaries), e.g. [[0, 5460]]. */
  slots: Array<[number, number]>;
}

export interface PrivateCluster {
  firstPort: number;
  ports: number[];
  dir: string;
  nodeTimeoutMs: number;
  /** redis://127.0.0.1:<port> of every node, the bots' seeds. */
  seeds: string[];
  /** Every node as the first live node sees the cluster. */
  nodes(): Promise<ClusterNode[]>;
  /** The primary serving `slot`, as the first live node sees it. */
  primaryOf(slot: number): Promise<ClusterNode | undefined>;
  /** SIGKILLs the node on `port` (its pid file) and waits until it no longer answers. */
  kill(port: number): Promise<void>;
  /** Starts the node on `port` again on its directory (nodes.conf and its AOF kept). */
  startNode(port: number): Promise<void>;
  /** `redis-cli` against one node; its stdout. */
  cli(port: number, ...args: string[]): Promise<string>;
  /** `redis-cli --cluster <args…>` (reshard, check); its stdout. */
  tool(...args: string[]): Promise<string>;
  /** Stops every node and deletes the directory. */
  destroy(): Promise<void>;
}

/** Starts a 3-primary, 3-replica cluster on `firstPort`…`firstPort + 5`. */
export async function startPrivateCluster(opts: {
  firstPort: number;
  nodeTimeoutMs?: number;
}): Promise<PrivateCluster> {
  const { firstPort } = opts;
  const nodeTimeoutMs = opts.nodeTimeoutMs ?? 2000;
  const ports = Array.from({ length: 6 }, (_, i) => firstPort + i);
  const dir = await mkdtemp(join(tmpdir(), `ftops-chaos-cluster-${firstPort}-`));
  const env = {
    ...process.env,
    REDIS_CLUSTER_PORT: String(firstPort),
    REDIS_CLUSTER_DIR: dir,
    REDIS_CLUSTER_NODE_TIMEOUT_MS: String(nodeTimeoutMs),
    // Every node keeps an append-only file, as a production cluster's nodes keep their data: a
    // node killed and started again comes back with its data and its nodes.conf, as a self-run
    // node restarted by its supervisor does. Without it the node came back empty yet still
    // claiming its slots for a moment, and writes made there were lost (RELIABILITY.md).
    REDIS_CLUSTER_APPENDONLY: 'yes',
  };
  const script = (...args: string[]) => run(SCRIPT, args, { env, timeout: 60_000 });
  const killed = new Set<number>();
  const pidOf = async (port: number) =>
    Number((await readFile(join(dir, String(port), 'redis.pid'), 'utf8')).trim());
  const cli = async (port: number, ...args: string[]) =>
    (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 120_000 }))
      .stdout;
  const answers = (port: number) =>
    cli(port, 'ping').then(
      (out) => out.trim() === 'PONG',
      () => false,
    );
  // If the runner dies, the daemonized nodes must not outlive it.
  const onExit = () => {
    for (const port of ports) {
      try {
        process.kill(pidFileOf(dir, port), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', onExit);

  const self: PrivateCluster = {
    firstPort,
    ports,
    dir,
    nodeTimeoutMs,
    seeds: ports.map((p) => `redis://127.0.0.1:${p}`),
    async nodes() {
      for (const port of ports) {
        if (killed.has(port)) continue;
        try {
          return parseNodes(await cli(port, 'cluster', 'nodes'));
        } catch {
          // try the next node
        }
      }
      return [];
    },
    async primaryOf(slot) {
      const nodes = await self.nodes();
      return nodes.find(
        (n) => n.primary && !n.failed && n.slots.some(([a, b]) => slot >= a && slot <= b),
      );
    },
    async kill(port) {
      process.kill(await pidOf(port), 'SIGKILL');
      killed.add(port);
      await waitUntil(async () => !(await answers(port)), 5000, 20);
    },
    async startNode(port) {
      // A SIGKILLed node can hold its port a while after it stopped answering (its exit waits
      // for an AOF fsync in flight): a node started then aborts ("Address already in use").
      for (let attempt = 0; attempt < 3; attempt++) {
        await waitUntil(() => portFree(port), 10_000, 100);
        await script('start-node', String(port));
        if (await waitUntil(() => answers(port), 5000, 50)) break;
      }
      killed.delete(port);
    },
    cli,
    async tool(...args) {
      return (await run('redis-cli', ['--cluster', ...args], { timeout: 120_000 })).stdout;
    },
    async destroy() {
      process.removeListener('exit', onExit);
      await script('stop').catch(() => undefined);
      for (const port of ports) {
        const pid = await pidOf(port).catch(() => 0);
        if (pid > 0 && (await answers(port))) process.kill(pid, 'SIGKILL');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
  await script('start');
  return self;
}

/** True when nothing listens on 127.0.0.1:`port` (a listener can be opened there). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The pid in a node's pid file, read synchronously (an exit handler cannot await). */
function pidFileOf(dir: string, port: number): number {
  return Number(readFileSync(join(dir, String(port), 'redis.pid'), 'utf8').trim());
}

/** `CLUSTER NODES` output, parsed (migrating/importing markers skipped). */
export function parseNodes(text: string): ClusterNode[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const [id = '', addr = '', flags = '', primaryId = '-', , , , , ...slots] = line.split(' ');
      const port = Number(addr.split('@')[0]?.split(':')[1]);
      const flagSet = new Set(flags.split(','));
      return {
        id,
        port,
        primary: flagSet.has('master'),
        failed: flagSet.has('fail') || flagSet.has('fail?'),
        ...(primaryId !== '-' ? { primaryId } : {}),
        slots: slots
          .filter((s) => !s.startsWith('['))
          .map((s) => {
            const [a, b] = s.split('-').map(Number);
            return [a as number, (b ?? a) as number] as [number, number];
          }),
      };
    });
}
