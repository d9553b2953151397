import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Args, parseArgs, readBody, str } from './args.ts';
import { SLACK_WORKSPACE } from './fixtures.ts';
import { METHODS, type MethodContext, SlackApiError } from './methods.ts';
import type { ChannelRateLimiter } from './rate-limit.ts';
import { sendJson } from './reply.ts';
import type { Workspace } from './state.ts';
import type { PostedCall, PostedHook, SlackCall } from './types.ts';

/** Methods limited per channel by setRateLimit (Slack's chat.* "special" rate limit). */
const CHANNEL_LIMITED = new Set(['chat.postMessage', 'chat.postEphemeral', 'chat.update']);
/** Methods `onPosted` hooks hear about. */
const POSTED = new Set(['chat.postMessage', 'chat.update']);

export interface WebApiState {
  ws: Workspace;
  ctx: MethodContext;
  limiter: ChannelRateLimiter;
  botToken: string;
  appToken: string;
  /** Errors queued by failNext, per method, answered one per call. */
  failures: Map<string, string[]>;
  calls: SlackCall[];
  postedHooks: Set<PostedHook>;
}

/**
 * `POST /api/<method>` as Slack answers it: token checks in Slack's order (unknown method,
 * auth, injected failure, per-channel rate limit), then the method itself; every answer is
 * recorded in `calls`.
 */
export function createWebApiHandler(state: WebApiState) {
  const { ws, botToken, appToken } = state;

  const record = (
    method: string,
    args: Args,
    status: number,
    answer: Record<string, unknown>,
    client: string | undefined,
  ) => {
    const call: SlackCall = { method, args, at: Date.now(), ok: answer.ok === true, status };
    if (typeof answer.error === 'string') call.error = answer.error;
    if (client !== undefined) call.client = client;
    state.calls.push(call);
    ws.events.emit('call', call);
  };

  const tokenProblem = (method: string, token: string | undefined): string | undefined => {
    if (token === undefined) return 'not_authed';
    const wanted = method === 'apps.connections.open' ? appToken : botToken;
    if (token === wanted) return undefined;
    return token === appToken || token === botToken ? 'not_allowed_token_type' : 'invalid_auth';
  };

  return async function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    query: URLSearchParams,
    client?: string,
  ): Promise<void> {
    const raw = await readBody(req);
    let args: Args;
    try {
      args = parseArgs(req.headers['content-type'], raw, query);
    } catch {
      return sendJson(res, 200, { ok: false, error: 'invalid_json' });
    }
    const bearer = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? str(args, 'token');
    delete args.token;
    const answer = (
      status: number,
      body: Record<string, unknown>,
      headers: Record<string, string> = {},
    ) => {
      record(method, args, status, body, client);
      // Slack lists the token's scopes on every answer; @slack/web-api reads them from here.
      const scopes: Record<string, string> =
        token === botToken ? { 'x-oauth-scopes': SLACK_WORKSPACE.botScopes.join(',') } : {};
      sendJson(res, status, body, { ...scopes, ...headers });
    };
    const handler = METHODS[method];
    if (!handler) return answer(200, { ok: false, error: 'unknown_method', req_method: method });
    const authError = tokenProblem(method, token);
    if (authError) return answer(200, { ok: false, error: authError });
    const injected = state.failures.get(method)?.shift();
    if (injected === 'ratelimited') {
      return answer(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' });
    }
    if (injected) return answer(200, { ok: false, error: injected });
    const channelRef = str(args, 'channel');
    if (CHANNEL_LIMITED.has(method) && channelRef !== undefined) {
      const retryAfter = state.limiter.take(ws.resolveChannel(channelRef)?.id ?? channelRef);
      if (retryAfter !== undefined) {
        return answer(
          429,
          { ok: false, error: 'ratelimited' },
          { 'retry-after': String(retryAfter) },
        );
      }
    }
    let result: Record<string, unknown>;
    try {
      result = handler(args, state.ctx);
    } catch (err) {
      if (!(err instanceof SlackApiError)) throw err;
      return answer(200, { ok: false, error: err.error, ...err.extra });
    }
    if (POSTED.has(method) && state.postedHooks.size > 0) {
      const posted: PostedCall = {
        method: method as PostedCall['method'],
        channel: String(result.channel),
        ts: String(result.ts),
        args,
        ...(client !== undefined ? { client } : {}),
      };
      for (const hook of [...state.postedHooks]) await hook(posted);
    }
    answer(200, { ok: true, ...result });
  };
}
