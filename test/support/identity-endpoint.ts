import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';

/**
 * A stand-in for Azure App Service's managed identity endpoint (what `IDENTITY_ENDPOINT` and
 * `IDENTITY_HEADER` point @azure/identity's ManagedIdentityCredential at), issuing short-lived
 * tokens shaped like Entra ID's: a JWT whose `oid` claim names the identity. Unsigned: only
 * the Redis in the test checks it, as a password.
 */
export interface IdentityEndpoint {
  /** For IDENTITY_ENDPOINT. */
  url: string;
  /** For IDENTITY_HEADER: a request without it is refused, as App Service does. */
  header: string;
  /** The identity's object ID, the `oid` of every token. */
  objectId: string;
  /** Every token issued, oldest first. */
  issued: string[];
  /** Every `resource` asked for. */
  resources: string[];
  close(): Promise<void>;
}

export interface IdentityEndpointOptions {
  /** How long each token lives; default 3 s. */
  lifetimeMs?: number;
  objectId?: string;
  /** Runs before a token is handed out (the test makes it the Redis user's password there). */
  beforeIssue?: (token: string) => Promise<void>;
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

export async function startIdentityEndpoint(
  opts: IdentityEndpointOptions = {},
): Promise<IdentityEndpoint> {
  const lifetimeMs = opts.lifetimeMs ?? 3000;
  const objectId = opts.objectId ?? randomUUID();
  const header = randomUUID();
  const issued: string[] = [];
  const resources: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.headers['x-identity-header'] !== header) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'unauthorized' }));
      return;
    }
    const resource = url.searchParams.get('resource') ?? '';
    resources.push(resource);
    const expiresOn = Math.floor((Date.now() + lifetimeMs) / 1000);
    const token = [
      b64({ alg: 'none', typ: 'JWT' }),
      b64({ oid: objectId, aud: resource, exp: expiresOn, jti: randomUUID() }),
      'unsigned',
    ].join('.');
    (opts.beforeIssue ?? (async () => {}))(token).then(
      () => {
        issued.push(token);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            access_token: token,
            // Whole seconds, as App Service sends it: a token may live up to a second less.
            expires_on: String(expiresOn),
            resource,
            token_type: 'Bearer',
            client_id: randomUUID(),
          }),
        );
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: String(err) }));
      },
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/msi/token`,
    header,
    objectId,
    issued,
    resources,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
