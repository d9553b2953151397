import { unwatchFile, watchFile } from 'node:fs';
import { startFtops } from './compose.ts';
import { exitOnConfigError, loadConfig } from './config/index.ts';
import { loadEnvFile } from './env-file.ts';

/**
 * `npm start`: one process, configured from the environment, stopped cleanly by a signal;
 * SIGHUP, or a change to the FT_CONFIG file, reloads the file.
 */
loadEnvFile();
const config = exitOnConfigError(() => loadConfig());
const ftops = await startFtops({ config });

let reloading = Promise.resolve();
const reload = () => {
  // One at a time, in order: two quick edits must not apply out of order.
  reloading = reloading.then(() => ftops.reload(() => loadConfig()).then(() => undefined));
};
process.on('SIGHUP', reload);
if (config.configFile) {
  // Polling, not fs.watch: a mounted ConfigMap is replaced through a symlink swap, which
  // fs.watch misses on some platforms; a stat every 2 s costs nothing.
  watchFile(config.configFile, { interval: 2_000 }, (now, before) => {
    if (now.mtimeMs !== before.mtimeMs || now.size !== before.size) reload();
  }).unref();
}

const STOP_GRACE_MS = 20_000;

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    // Workers finish their current job; a second signal is ignored rather than cutting it short.
    // A clean stop needs Redis: if it is down, the process would wait for it forever, so after
    // STOP_GRACE_MS it exits anyway (BullMQ hands an unfinished job to another worker).
    setTimeout(() => process.exit(1), STOP_GRACE_MS).unref();
    if (config.configFile) unwatchFile(config.configFile);
    ftops.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
