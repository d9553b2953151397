import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { FineTuningEmulator } from '../emulators/fine-tuning/index.ts';
import type { SlackEmulator, SlackMessage } from '../emulators/slack/index.ts';
import { errorText } from '../util/error-text.ts';
import { COMMAND_USAGE, jobKey, VERBS } from '../vocabulary/index.ts';
import type { AccessPanel } from './access-panel.ts';
import { type BotAck, BridgeError, type SlackBridge } from './bridge.ts';
import type { Directory } from './directory.ts';
import type { LiveFeed } from './live.ts';
import { sendStatic } from './static-files.ts';

/** Statuses the side panel may set by hand, as if something outside ftops changed the job. */
export const MANUAL_STATUSES = ['failed', 'succeeded', 'paused', 'running', 'cancelled'] as const;

/** One fine-tuning resource of the sandbox: its name in FT_CONFIG, its emulator, its jobs. */
export interface SandboxResource {
  name: string;
  ft: FineTuningEmulator;
  /** IDs of the jobs the side panel lists, oldest first. */
  jobIds: string[];
}

/** What the routes work on. */
export interface RouteDeps {
  slack: SlackEmulator;
  /** The resources in the order of FT_CONFIG. */
  resources: SandboxResource[];
  bridge: SlackBridge;
  live: LiveFeed;
  directory: Directory;
  /** The approval rules in force, in sentences, for the page's panel. */
  rules: string[];
  /** The resources and each channel's rule, for the page's panel. */
  access: AccessPanel;
  files: Map<string, { type: string; body: Buffer }>;
  /** The port the page is served on (known once the server listens). */
  port: () => number;
}

const MAX_BODY = 64 * 1024;

/** A message as the page gets it: the stored message plus its channel. */
export function pageMessage(channel: string, m: SlackMessage) {
  return {
    channel,
    ts: m.ts,
    thread_ts: m.thread_ts,
    text: m.text,
    blocks: m.blocks,
    user: m.user,
    ephemeral: m.ephemeral === true,
    visibleTo: m.visibleTo,
    reply_broadcast: m.reply_broadcast === true,
    edited: m.edited === true,
  };
}

/**
 * The sandbox's HTTP routes, served next to the bot's own on the same port through its
 * `fallback` option: the page's files, its state and live feed, and the API the page calls
 * to act as Slack would. Returns false for paths it does not serve.
 */
/** The longest slash-command text Slack sends, as its message composer allows. */
const COMMAND_MAX = 4_000;

export function sandboxRoutes(deps: RouteDeps) {
  const users = new Set(deps.directory.users.filter((u) => u.role !== 'bot').map((u) => u.id));
  const channels = new Set(deps.directory.channels.map((c) => c.id));
  const id = (set: Set<string>, what: string) =>
    z.string().refine((v) => set.has(v), `unknown ${what}`);
  const commandInput = z.object({
    user: id(users, 'user'),
    channel: id(channels, 'channel'),
    text: z.string().max(COMMAND_MAX, {
      error: (iss) =>
        `That command is ${String(iss.input).length.toLocaleString('en-US')} characters long; Slack sends at most ${COMMAND_MAX.toLocaleString('en-US')} characters of a slash command. Shorten it and send it again.`,
    }),
  });
  const clickInput = z.object({
    user: id(users, 'user'),
    channel: id(channels, 'channel'),
    ts: z.string().max(40),
    actionId: z.string().max(255),
    blockId: z.string().max(255),
    value: z.string().max(2_000),
    text: z.string().max(200).optional(),
  });
  const submitInput = z.object({
    user: id(users, 'user'),
    viewId: z.string().max(40),
    values: z.record(z.string(), z.record(z.string(), z.unknown())),
  });
  const statusInput = z.object({
    resource: z.string().max(40),
    id: z.string().max(100),
    status: z.enum(MANUAL_STATUSES),
  });

  const answerAck = (res: ServerResponse, ack: BotAck) => {
    if (ack.status !== 200) {
      return json(res, 502, { ok: false, error: `The bot answered HTTP ${ack.status}.` });
    }
    const body = parseJson(ack.body);
    const errors =
      body && body.response_action === 'errors' && typeof body.errors === 'object'
        ? body.errors
        : undefined;
    return json(res, 200, { ok: true, ...(errors ? { errors } : {}) });
  };

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
    'GET /sandbox/api/state': async (_req, res) => {
      const messages = [...deps.slack.messages].flatMap(([channel, list]) =>
        channels.has(channel) ? list.map((m) => pageMessage(channel, m)) : [],
      );
      const commands = VERBS.map((verb) => ({ verb, ...COMMAND_USAGE[verb] }));
      json(res, 200, {
        directory: deps.directory,
        commands,
        messages,
        rules: deps.rules,
        access: deps.access,
      });
    },
    'GET /sandbox/api/events': async (req, res) => deps.live.open(req, res),
    'GET /sandbox/api/fine-tuning': async (req, res) => {
      // One count per resource, comma-separated: the requests of each emulator already shown.
      const since = (new URL(req.url ?? '/', 'http://x').searchParams.get('since') ?? '').split(
        ',',
      );
      const requests = deps.resources.flatMap((r, i) => {
        const seen = Number(since[i] ?? 0);
        const from = Number.isInteger(seen) && seen >= 0 ? seen : 0;
        return r.ft.requests.slice(from).map((q, j) => ({ resource: r.name, n: from + j, ...q }));
      });
      requests.sort((a, b) => a.at - b.at);
      const jobs = deps.resources.flatMap((r) =>
        r.jobIds.flatMap((jobId) => {
          const job = r.ft.getJob(jobId);
          return job
            ? [
                {
                  resource: r.name,
                  key: jobKey(r.name, job.id),
                  id: job.id,
                  status: job.status,
                  suffix: job.user_provided_suffix ?? null,
                },
              ]
            : [];
        }),
      );
      const cursor = deps.resources.map((r) => r.ft.requests.length).join(',');
      json(res, 200, { cursor, requests, jobs });
    },
    'POST /sandbox/api/command': async (req, res) =>
      answerAck(res, await deps.bridge.command(commandInput.parse(await readJson(req)))),
    'POST /sandbox/api/click': async (req, res) =>
      answerAck(res, await deps.bridge.click(clickInput.parse(await readJson(req)))),
    'POST /sandbox/api/submit': async (req, res) =>
      answerAck(res, await deps.bridge.submit(submitInput.parse(await readJson(req)))),
    'POST /sandbox/api/job-status': async (req, res) => {
      const input = statusInput.parse(await readJson(req));
      const resource = deps.resources.find((r) => r.name === input.resource);
      if (!resource?.jobIds.includes(input.id))
        throw new BridgeError('No such job in the sandbox.');
      resource.ft.setStatus(input.id, input.status, manualExtra(input.status));
      json(res, 200, { ok: true });
    },
  };

  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const key = `${req.method} ${path}`;
    const route = routes[key];
    const file = req.method === 'GET' ? staticName(path) : undefined;
    if (!route && file === undefined) return false;
    if (!sameOrigin(req, deps.port())) {
      json(res, 403, { ok: false, error: 'The sandbox answers only its own page.' });
      return true;
    }
    if (file !== undefined) {
      if (!sendStatic(deps.files, file, res)) json(res, 404, { ok: false, error: 'not_found' });
      return true;
    }
    route?.(req, res).catch((err: unknown) => {
      if (res.headersSent) return;
      if (err instanceof z.ZodError) {
        json(res, 400, { ok: false, error: err.issues.map((i) => i.message).join('; ') });
      } else if (err instanceof BridgeError) {
        json(res, 400, { ok: false, error: err.message });
      } else {
        json(res, 500, { ok: false, error: errorText(err) });
      }
    });
    return true;
  };
}

/** The page's file for a path: `/` is index.html, `/web/<name>` the named file. */
function staticName(path: string): string | undefined {
  if (path === '/' || path === '/index.html') return 'index.html';
  const match = /^\/web\/([A-Za-z0-9_-]+\.[a-z]+)$/.exec(path);
  return match?.[1];
}

/**
 * Only the page itself may use these routes: the Host must be the loopback name and port (a
 * DNS-rebinding site has another Host), and a browser's Origin, when sent, must match it.
 */
function sameOrigin(req: IncomingMessage, port: number): boolean {
  const allowed = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  if (!allowed.has(req.headers.host ?? '')) return false;
  const origin = req.headers.origin;
  if (origin !== undefined && !allowed.has(origin.replace(/^http:\/\//, ''))) return false;
  if (req.method === 'POST') {
    // A JSON content type cannot be sent cross-site without a preflight, which is never allowed.
    return (req.headers['content-type'] ?? '').startsWith('application/json');
  }
  return true;
}

function manualExtra(status: (typeof MANUAL_STATUSES)[number]) {
  if (status !== 'failed') return {};
  return {
    error: {
      code: 'sandbox_manual_failure',
      message: 'Failed by hand from the sandbox side panel.',
      param: null,
    },
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new BridgeError('Request too large.');
    chunks.push(chunk as Buffer);
  }
  const parsed = parseJson(Buffer.concat(chunks).toString('utf8'));
  if (parsed === undefined) throw new BridgeError('Expected a JSON body.');
  return parsed;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(JSON.stringify(body));
}
