import { startFtops } from './compose.ts';
import { exitOnConfigError, loadConfig } from './config.ts';

/** `npm start`: one process, configured from the environment, stopped cleanly by a signal. */
const config = exitOnConfigError(() => loadConfig());
const ftops = await startFtops({ config });

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    // Workers finish their current job; a second signal is ignored rather than cutting it short.
    ftops.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
