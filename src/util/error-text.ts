/**
 * The one way ftops turns anything thrown into text for a person or a log line: an Error's
 * message on one line, never a stack and never `[object Object]`.
 */
export function errorText(err: unknown): string {
  let text: string;
  if (err instanceof Error) text = err.message;
  else if (typeof err === 'string') text = err;
  else if (
    err !== null &&
    typeof err === 'object' &&
    typeof (err as { message?: unknown }).message === 'string'
  )
    text = (err as { message: string }).message;
  else text = String(err);
  if (text === '[object Object]') text = '';
  return text.split('\n')[0]?.trim() || 'unknown error';
}
