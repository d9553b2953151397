import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Reads `.env` (or `path`) into `process.env` before the configuration is parsed, so
 * `npm start`, `npm run doctor` and the sandbox take the settings a user put there. Variables
 * already set in the real environment win; a missing file is not an error.
 *
 * @returns the file read, or undefined when there was none.
 */
export function loadEnvFile(path = '.env'): string | undefined {
  const file = resolve(path);
  if (!existsSync(file)) return undefined;
  // Node's own reader (20.12+): it never overrides a variable that is already set.
  process.loadEnvFile(file);
  return file;
}
