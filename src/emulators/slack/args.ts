import type { IncomingMessage } from 'node:http';

/** Arguments of a Web API call, as Slack reads them from a form or JSON body. */
export type Args = Record<string, unknown>;

/** Fields @slack/web-api JSON-stringifies inside a form body; decoded so tests see objects. */
const JSON_FIELDS = ['blocks', 'attachments', 'view', 'metadata', 'files'] as const;

/** Reads a request body as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Parses a Web API call's arguments from the query string and a form-encoded or JSON body,
 * decoding the JSON-in-a-form fields; a field that is not valid JSON stays a string, so the
 * method can answer `invalid_blocks_format` as Slack does.
 */
export function parseArgs(
  contentType: string | undefined,
  body: string,
  query: URLSearchParams,
): Args {
  const args: Args = Object.fromEntries(query);
  if (body.length > 0) {
    if ((contentType ?? '').includes('application/json')) {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed === 'object' && parsed !== null) Object.assign(args, parsed);
    } else {
      Object.assign(args, Object.fromEntries(new URLSearchParams(body)));
    }
  }
  for (const field of JSON_FIELDS) {
    const v = args[field];
    if (typeof v === 'string' && /^\s*[[{]/.test(v)) {
      try {
        args[field] = JSON.parse(v);
      } catch {
        // keep the raw string: the method reports it as malformed
      }
    }
  }
  return args;
}

/** A string argument, or undefined when absent or empty. */
export function str(args: Args, key: string): string | undefined {
  const v = args[key];
  if (typeof v === 'number') return String(v);
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** A boolean argument as Slack reads it (`true`, `'true'`, `'1'`). */
export function bool(args: Args, key: string): boolean {
  const v = args[key];
  return v === true || v === 'true' || v === '1' || v === 1;
}
