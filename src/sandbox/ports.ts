import { createServer } from 'node:net';

/** Whether nothing listens on `port` at `host` yet (checked by briefly binding it). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

/** A port the OS reports free on `host` right now (another process may still take it later). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The first free port from `start` on, trying `tries` ports; undefined when all are taken.
 * Port 0 is returned as is (the OS picks one when the server listens).
 */
export async function firstFreePort(
  start: number,
  tries = 20,
  host = '127.0.0.1',
): Promise<number | undefined> {
  if (start === 0) return 0;
  for (let port = start; port < start + tries && port <= 65_535; port++) {
    if (await isPortFree(port, host)) return port;
  }
  return undefined;
}
