import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendText } from './reply.ts';
import type { Workspace } from './state.ts';

/** Reads a request body as bytes, refusing more than `max` (answered as 413 by the caller). */
async function readBytes(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The file in a multipart/form-data body: the first part with a filename (the SDK sends one
 * part, `body`, with the bytes), else the first part; undefined when the body is not multipart.
 */
export function multipartFile(body: Buffer, contentType: string): Buffer | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const mark = boundary?.[1] ?? boundary?.[2];
  if (!mark) return undefined;
  const delimiter = Buffer.from(`--${mark}`);
  const parts: Array<{ headers: string; data: Buffer }> = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start + 2, next - 2); // after CRLF, before CRLF--boundary
    const split = part.indexOf('\r\n\r\n');
    if (split >= 0)
      parts.push({
        headers: part.subarray(0, split).toString('latin1'),
        data: part.subarray(split + 4),
      });
    at = next;
  }
  const withName = parts.find((p) => /filename=/i.test(p.headers));
  return (withName ?? parts[0])?.data;
}

/**
 * `POST /upload/v1/<token>`: the bytes of the file getUploadURLExternal issued the URL for,
 * raw or as multipart/form-data. Answers `200 OK - <bytes>` as Slack does; 404 for an unknown
 * URL or a completed file; 400 when the bytes are not the length announced (stricter than
 * Slack is known to be, so a wrong length shows up here rather than as a broken file).
 */
export async function handleUpload(
  req: IncomingMessage,
  res: ServerResponse,
  token: string,
  ws: Workspace,
): Promise<void> {
  const fileId = ws.uploadTargets.get(token);
  const file = fileId === undefined ? undefined : ws.files.get(fileId);
  if (req.method !== 'POST') return sendText(res, 405, 'method not allowed');
  if (!file || file.completed) {
    req.resume();
    return sendText(res, 404, 'not found');
  }
  const body = await readBytes(req, file.length + 64 * 1024);
  if (body === undefined) return sendText(res, 413, `more than ${file.length} bytes`);
  const type = req.headers['content-type'] ?? '';
  const bytes = /^multipart\/form-data/i.test(type) ? multipartFile(body, type) : body;
  if (bytes === undefined) return sendText(res, 400, 'no file in the multipart body');
  if (bytes.length !== file.length)
    return sendText(res, 400, `length mismatch: ${bytes.length} bytes, announced ${file.length}`);
  file.bytes = Buffer.from(bytes);
  ws.events.emit('upload', { file });
  sendText(res, 200, `OK - ${bytes.length}`);
}
