import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { loadEnvFile } from '../../src/bot/env-file.ts';

const run = promisify(execFile);
const TSX = resolve('node_modules/.bin/tsx');
const DOCTOR = resolve('src/doctor/main.ts');

let dir: string;
afterEach(() => {
  delete process.env.FTOPS_TEST_FROM_FILE;
  delete process.env.FTOPS_TEST_REAL;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function folderWithEnv(text: string): string {
  dir = mkdtempSync(join(tmpdir(), 'ftops-env-'));
  writeFileSync(join(dir, '.env'), text);
  return dir;
}

describe('.env', () => {
  it('fills what the environment leaves unset, and the real environment wins', () => {
    const d = folderWithEnv('FTOPS_TEST_FROM_FILE=file\nFTOPS_TEST_REAL=file\n');
    process.env.FTOPS_TEST_REAL = 'real';
    expect(loadEnvFile(join(d, '.env'))).toBe(join(d, '.env'));
    expect(process.env.FTOPS_TEST_FROM_FILE).toBe('file');
    expect(process.env.FTOPS_TEST_REAL).toBe('real');
  });

  it('is not an error when missing', () => {
    expect(loadEnvFile(join(tmpdir(), 'no-such-ftops-dir', '.env'))).toBeUndefined();
  });

  it('is read by npm run doctor from the folder it runs in', async () => {
    const d = folderWithEnv('SLACK_BOT_TOKEN=xoxb-1-2-abc\nFT_POLL_INTERVAL_SECONDS=soon\n');
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
    const result = await run(TSX, [DOCTOR], { cwd: d, env }).catch(
      (e: { code: number; stdout: string }) => e,
    );
    // The file's bad interval is what the doctor complains of: it read the file.
    expect('code' in result ? result.code : 0).toBe(2);
    expect(result.stdout).toContain('FT_POLL_INTERVAL_SECONDS');
  });
});
