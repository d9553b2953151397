import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Logger } from 'pino';

/**
 * Only the workspace (or Enterprise Grid organisation) ftops is installed in may drive it. A
 * signature proves a request came from Slack, not that it came from our workspace: an app
 * distributed to a second workspace, or a shared channel, would otherwise act on our jobs.
 */

/** Where ftops is installed, as `auth.test` says. */
export interface Home {
  teamId: string;
  enterpriseId?: string;
  /** An organisation-wide install: every workspace of the organisation is home. */
  enterpriseInstall: boolean;
}

/** Where a request says it comes from. */
export interface Origin {
  teamId?: string;
  enterpriseId?: string;
}

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** The team and enterprise of a slash command, interaction or event body. */
export function originOf(body: unknown): Origin {
  const b = (body ?? {}) as Record<string, unknown>;
  const team = (b.team ?? {}) as Record<string, unknown>;
  const enterprise = (b.enterprise ?? {}) as Record<string, unknown>;
  const user = (b.user ?? {}) as Record<string, unknown>;
  const out: Origin = {};
  const teamId = str(b.team_id) ?? str(team.id) ?? str(user.team_id);
  const enterpriseId = str(b.enterprise_id) ?? str(enterprise.id);
  if (teamId) out.teamId = teamId;
  if (enterpriseId) out.enterpriseId = enterpriseId;
  return out;
}

/** Whether a request from `origin` is from home; anything unnamed is not. */
export function isFromHome(home: Home, origin: Origin): boolean {
  if (home.enterpriseInstall)
    return home.enterpriseId !== undefined && origin.enterpriseId === home.enterpriseId;
  if (origin.teamId !== home.teamId) return false;
  return origin.enterpriseId === undefined || origin.enterpriseId === home.enterpriseId;
}

/** Reads `auth.test` into a Home. */
export function homeOf(auth: {
  team_id?: string;
  enterprise_id?: string;
  is_enterprise_install?: boolean;
}): Home {
  const home: Home = {
    teamId: auth.team_id ?? '',
    enterpriseInstall: auth.is_enterprise_install === true,
  };
  if (auth.enterprise_id) home.enterpriseId = auth.enterprise_id;
  return home;
}

const FOREIGN_WORKSPACE_TEXT =
  'ftops is not installed in this workspace, so this request was refused and nothing was done.';

/** `learn` called once and remembered; a failure is forgotten, so the next call asks again. */
export function rememberHome(learn: () => Promise<Home>): () => Promise<Home> {
  let home: Promise<Home> | undefined;
  return () => {
    home ??= learn().catch((err: unknown) => {
      home = undefined;
      throw err;
    });
    return home;
  };
}

/**
 * Global middleware: acks a request from anywhere but home without running a listener. Until
 * home is known (Slack did not answer `auth.test`), every request is refused: failing closed.
 */
export function guardWorkspace(
  known: () => Promise<Home>,
  logger: Logger,
): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const origin = originOf(args.body);
    let ours: Home | undefined;
    try {
      ours = await known();
    } catch {
      logger.error('could not learn which workspace ftops is installed in (auth.test); refusing');
    }
    if (ours && isFromHome(ours, origin)) {
      await args.next();
      return;
    }
    if (ours)
      logger.warn(
        { team: origin.teamId?.slice(0, 20), enterprise: origin.enterpriseId?.slice(0, 20) },
        'refused a Slack request from another workspace; nothing was done',
      );
    const ack = (args as { ack?: (answer?: unknown) => Promise<void> }).ack;
    const isCommand = typeof (args.body as { command?: unknown })?.command === 'string';
    if (typeof ack === 'function')
      await ack(
        isCommand
          ? {
              response_type: 'ephemeral',
              text: ours
                ? FOREIGN_WORKSPACE_TEXT
                : 'ftops cannot reach Slack to check where this request comes from; try again in a minute.',
            }
          : undefined,
      );
  };
}
