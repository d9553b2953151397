import { readdirSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The page may load only its own files and talk only to its own server. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/**
 * The page's files, read once at start from `dir`: only names listed there are served, so no
 * request path can reach outside it.
 */
export function loadStaticFiles(dir: string): Map<string, { type: string; body: Buffer }> {
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type) files.set(name, { type, body: readFileSync(join(dir, name)) });
  }
  return files;
}

/** Sends a loaded file with the page's security headers; false when there is no such file. */
export function sendStatic(
  files: Map<string, { type: string; body: Buffer }>,
  name: string,
  res: ServerResponse,
): boolean {
  const file = files.get(name);
  if (!file) return false;
  res.writeHead(200, { 'content-type': file.type, ...SECURITY_HEADERS });
  res.end(file.body);
  return true;
}
