import type { IncomingMessage, ServerResponse } from 'node:http';
import { typeOf } from './file-objects.ts';
import { sendText } from './reply.ts';
import type { Workspace } from './state.ts';

/**
 * `GET /files-pri/<team>-<id>/<name>`: a completed file's bytes (`url_private`), for the bot
 * token only, as Slack serves private files.
 */
export function handleFileDownload(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  ws: Workspace,
  botToken: string,
): void {
  const m = /^\/files-pri\/[A-Z0-9]+-(F[A-Z0-9]+)\/[^/]+$/.exec(path);
  const file = m ? ws.files.get(m[1] as string) : undefined;
  const bearer = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1];
  if (bearer !== botToken) {
    sendText(res, 403, 'forbidden');
  } else if (!file?.completed || !file.bytes) {
    sendText(res, 404, 'not found');
  } else {
    res.writeHead(200, {
      'content-type': typeOf(file.filename)[0],
      'content-length': String(file.bytes.length),
    });
    res.end(file.bytes);
  }
}
