import { startFtops } from './compose.ts';
import { exitOnConfigError, loadConfig } from './config/index.ts';
import { loadEnvFile } from './env-file.ts';

/** `npm start`: one process, configured from the environment, stopped cleanly by a signal. */
loadEnvFile();
const config = exitOnConfigError(() => loadConfig());
const ftops = await startFtops({ config });

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
    ftops.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
