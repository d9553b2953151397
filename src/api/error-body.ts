import { ErrorBodySchema } from './schemas.ts';

export interface ParsedErrorBody {
  code?: string;
  message?: string;
  param?: string;
  type?: string;
}

/** Reads the Azure `{error:{code,message,param,type,inner_error}}` or OpenAI error shape. */
export function parseErrorBody(body: unknown): ParsedErrorBody {
  const parsed = ErrorBodySchema.safeParse(body);
  if (parsed.success) {
    const e = parsed.data.error;
    const out: ParsedErrorBody = {};
    if (e.code !== null && e.code !== undefined) out.code = String(e.code);
    if (e.message) out.message = e.message;
    if (e.param) out.param = e.param;
    if (e.type) out.type = e.type;
    return out;
  }
  // Some gateways answer `{ "message": "..." }` or `{ "error": "text" }`.
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    if (typeof b.error === 'string') return { message: b.error };
    if (typeof b.message === 'string') {
      const out: ParsedErrorBody = { message: b.message };
      if (typeof b.code === 'string' || typeof b.code === 'number') out.code = String(b.code);
      return out;
    }
  }
  if (typeof body === 'string' && body.trim() !== '') {
    const text = body.trim().replace(/\s+/g, ' ');
    return { message: text.length > 200 ? `${text.slice(0, 200)}…` : text };
  }
  return {};
}
