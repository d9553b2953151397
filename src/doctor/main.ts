import { loadEnvFile } from '../bot/env-file.ts';
import { runDoctor } from './run.ts';

// `npm run doctor`: checks the environment this process was started with and exits 0 (all
// good), 1 (a check failed) or 2 (the environment does not parse).
loadEnvFile();
process.exitCode = await runDoctor(process.env, {
  out: (line) => process.stdout.write(`${line}\n`),
});
