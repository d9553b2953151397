import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/bot/logger.ts';
import { replyForError } from '../../src/handlers/reply.ts';

describe('replyForError', () => {
  it('logs an unexpected error by name and message, never with its stack trace', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const logger = createLogger({ level: 'info', secrets: [], destination });
    const view = replyForError(new TypeError('x.trim is not a function'), 'cid123', logger);
    expect(JSON.stringify(view)).toContain('cid123');
    const logged = lines.join('');
    expect(logged).toContain('x.trim is not a function');
    expect(logged).toContain('cid123');
    // pino's err serializer leaves an empty "stack" on a plain object; a trace has text.
    expect(logged).not.toMatch(/"stack":"[^"]|\\n\s+at /);
  });
});
