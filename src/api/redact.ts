/** Replaces every secret in `text` with a marker, so a body echoing a key never leaks it. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (s.length > 0) out = out.split(s).join('[redacted]');
  }
  return out;
}

/**
 * A copy of a low-level error with only its name, code and message (secrets removed), so a
 * cause chain can never carry request options or headers.
 */
export function safeCause(err: unknown, secrets: readonly string[] = []): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  const copy = new Error(redact(e.message, secrets));
  copy.name = e.name;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') (copy as Error & { code?: string }).code = code;
  return copy;
}
