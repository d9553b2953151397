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
    const log = logger.child({ correlationId: 'cid123' });
    const view = replyForError(new TypeError('x.trim is not a function'), 'cid123', log);
    expect(JSON.stringify(view)).toContain('cid123');
    const logged = lines.join('');
    expect(logged).toContain('x.trim is not a function');
    // Once: the request's child logger carries it, and the line does not repeat it.
    expect(logged.match(/"correlationId"/g)).toHaveLength(1);
    expect(logged).toContain('"correlationId":"cid123"');
    // pino's err serializer leaves an empty "stack" on a plain object; a trace has text.
    expect(logged).not.toMatch(/"stack":"[^"]|\\n\s+at /);
  });
});
