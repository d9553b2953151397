import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { APIError } from '../../src/api/errors.ts';
import { createLogger } from '../../src/bot/logger.ts';

function capture(secrets: string[] = ['xoxb-secret-token']) {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'info',
    secrets,
    destination: new Writable({
      write(chunk, _enc, cb) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        cb();
      },
    }),
  });
  return { logger, logged: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('the logger', () => {
  it('logs an error as its name and message, never its stack trace', () => {
    const { logger, logged } = capture();
    logger.error({ err: new TypeError('x.trim is not a function') }, 'boom');
    const [line] = logged();
    expect(line?.err).toEqual({ name: 'TypeError', message: 'x.trim is not a function' });
    expect(JSON.stringify(line)).not.toContain('stack');
  });

  it("uses an error's own toJSON, so API errors show only their safe fields", () => {
    const { logger, logged } = capture();
    const err = new APIError('The API failed (500).', { status: 500, code: 'server_error' });
    logger.warn({ err }, 'api');
    expect(logged()[0]?.err).toEqual(err.toJSON());
  });

  it('still scrubs a secret that sits inside an error message', () => {
    const { logger, logged } = capture();
    logger.error({ err: new Error('bad token xoxb-secret-token') }, 'boom');
    expect(JSON.stringify(logged()[0])).not.toContain('xoxb-secret-token');
  });

  it('keeps a non-error value readable', () => {
    const { logger, logged } = capture();
    logger.warn({ err: 'plain text' }, 'odd');
    expect(logged()[0]?.err).toEqual({ message: 'plain text' });
  });

  it('redacts a configured secret whatever its length', () => {
    const { logger, logged } = capture(['k9Z', 'pw']);
    logger.info({ detail: 'auth k9Z failed; retry with pw' }, 'short secrets');
    const text = JSON.stringify(logged());
    expect(text).not.toContain('k9Z');
    expect(text).toContain('auth [redacted] failed; retry with [redacted]');
  });
});
