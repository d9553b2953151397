import type { Campaign } from '../lib/campaign.ts';
import { runApiFaults } from './api-faults/index.ts';
import { runApprovalCrashes } from './approval-crashes/index.ts';
import { runApprovalRace } from './approval-race/index.ts';
import { runAuditFlood } from './audit-flood/index.ts';
import { runAuthenticity } from './authenticity/index.ts';
import { runCanaries } from './canaries.ts';
import { runFailover } from './cluster/failover.ts';
import { runReshard } from './cluster/reshard.ts';
import { runCrashes } from './crashes/index.ts';
import { runHostileApi } from './hostile-api/index.ts';
import { runHostileInput } from './hostile-input/index.ts';
import { runRedisRestart } from './redis-restart/index.ts';
import { runTampering } from './tampering/index.ts';

/** The battery in the order it runs; the canary scan is last, over everything before it. */
export const CAMPAIGNS: ReadonlyArray<{ name: string; run: Campaign }> = [
  { name: 'authenticity', run: runAuthenticity },
  { name: 'approval-race', run: runApprovalRace },
  { name: 'approval-crashes', run: runApprovalCrashes },
  { name: 'tampering', run: runTampering },
  { name: 'crashes', run: runCrashes },
  { name: 'redis-restart', run: runRedisRestart },
  { name: 'api-faults', run: runApiFaults },
  { name: 'hostile-input', run: runHostileInput },
  { name: 'hostile-api', run: runHostileApi },
  { name: 'audit-flood', run: runAuditFlood },
  { name: 'failover', run: runFailover },
  { name: 'reshard', run: runReshard },
  { name: 'canaries', run: runCanaries },
];
