/** Header lookup over undici's lower-cased header record or a fetch `Headers`. */
export type ResponseHeaders = Headers | Record<string, string | string[] | undefined> | undefined;

/** Reads one header from either header shape (first value when repeated). */
export function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function')
    return (headers as Headers).get(name) ?? undefined;
  const v = (headers as Record<string, string | string[] | undefined>)[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** The request ID Azure (`apim-request-id`) or OpenAI (`x-request-id`) stamped on a response. */
export function requestIdOf(headers: ResponseHeaders): string | undefined {
  return (
    headerValue(headers, 'apim-request-id') ??
    headerValue(headers, 'x-request-id') ??
    headerValue(headers, 'x-ms-request-id')
  );
}
