/**
 * Runs before `npm test` (the `pretest` script): checks what the suite needs from the machine
 * and, when something is missing, says the one command that fixes it before any test runs, so
 * a missing browser or Redis never looks like a failure of ftops.
 */
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { pathToFileURL } from 'node:url';
import { CHROMIUM_PATH } from './chromium.ts';

/** What the suite expects of the machine; tests of this check point it elsewhere. */
export interface Needs {
  redisHost: string;
  redisPort: number;
  chromiumPath: string;
}

const NEEDS: Needs = { redisHost: '127.0.0.1', redisPort: 6379, chromiumPath: CHROMIUM_PATH };

/** Answers whether something accepts TCP connections on host:port within a second. */
function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function onPath(binary: string): boolean {
  return (process.env.PATH ?? '')
    .split(':')
    .some((dir) => dir !== '' && existsSync(`${dir}/${binary}`));
}

/** Each missing need as one sentence ending in the command that fixes it. */
export async function preflight(needs: Needs = NEEDS): Promise<string[]> {
  const { redisHost, redisPort, chromiumPath } = needs;
  const problems: string[] = [];
  if (!(await listening(redisHost, redisPort))) {
    problems.push(
      onPath('redis-server')
        ? `Redis is not answering on ${redisHost}:${redisPort}. Start it: redis-server --daemonize yes --port ${redisPort} --save "" --appendonly no`
        : `Redis is not installed. Install and start it: sudo apt-get install -y redis-server (or docker run -d -p 6379:6379 redis:7)`,
    );
  }
  if (!existsSync(chromiumPath)) {
    problems.push(
      `Chromium is missing at ${chromiumPath} (the sandbox's browser test needs it). Install it: sudo apt-get install -y chromium`,
    );
  }
  return problems;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const problems = await preflight();
  if (problems.length > 0) {
    process.stderr.write(
      `npm test cannot run yet; nothing was tested:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`,
    );
    process.exit(1);
  }
}
