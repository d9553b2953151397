// The report's ten rows, read from everything the run observed; the figures are gathered here
// so each part of the report says what it reads.
import type { FineTuningJob } from '../../../src/api/schemas.ts';
import type { BotProcess } from '../../lib/bot-process.ts';
import type { Row } from '../../lib/campaign.ts';
import type { World } from '../../lib/world.ts';
import type { Answers } from './answers.ts';
import type { ApprovalRequest, Click } from './approval.ts';
import type { Change, Sent, Sizes } from './plan.ts';
import type { PrivateRedis } from './private-redis.ts';
import { answerRows } from './rows-answers.ts';
import { stateRows } from './rows-state.ts';

/** Everything the rows are read from. */
export interface Figures {
  w: World;
  bot: BotProcess;
  size: Sizes;
  redis: PrivateRedis;
  exit: { code: number | null; signal: NodeJS.Signals | null };
  answers: Answers;
  /** The set-up commands, and how many were answered normally. */
  setup: Sent[];
  setupOk: number;
  /** The steady stream of status commands. */
  sent: Sent[];
  jobs: FineTuningJob[];
  watcherOf: Map<string, string | undefined>;
  changes: Change[];
  beforeAnnounced: boolean;
  allAnnounced: boolean;
  times: { stopAt: number; downAt: number; restartAt: number; backAt: number };
  approvalJob: FineTuningJob;
  request: ApprovalRequest | undefined;
  outageClick: Click | undefined;
  outageReady: { status: number; redisOk: boolean };
  pausesBeforeApproval: number;
  outageLogLines: number;
  durable: Map<string, string>;
  durableAfter: Map<string, string>;
  pendingAfter: Sent;
  approveClick: Click | undefined;
  lateClick: Click | undefined;
  watching: Array<{ ch: string; text: string }>;
  readyAfter: { status: number; redisOk: boolean };
  alive: boolean;
}

/** Rows 1–10, in order; row 9 notes the first bad log line, if any. */
export function restartRows(f: Figures, notes: string[]): Row[] {
  return [...answerRows(f), ...stateRows(f, notes)];
}
