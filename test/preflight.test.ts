import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { preflight } from './support/preflight.ts';

const run = promisify(execFile);

describe('the check npm test runs first', () => {
  it('finds nothing missing on a machine set up as the README says', async () => {
    expect(await preflight()).toEqual([]);
  });

  it('names each missing need with the command that fixes it', async () => {
    const problems = await preflight({
      redisHost: '127.0.0.1',
      redisPort: 1, // nothing listens on tcpmux
      chromiumPath: '/nonexistent/chromium',
    });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /^Redis is not (answering on 127\.0\.0\.1:1|installed)\..* redis-server/,
    );
    expect(problems[1]).toBe(
      "Chromium is missing at /nonexistent/chromium (the sandbox's browser test needs it). Install it: sudo apt-get install -y chromium",
    );
  });

  it('is what npm test runs before any test, and passes here', async () => {
    const pkg = (await import('../package.json', { with: { type: 'json' } })).default as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.pretest).toBe('tsx test/support/preflight.ts');
    const { stderr } = await run('npx', ['tsx', 'test/support/preflight.ts']);
    expect(stderr).toBe('');
  });
});
