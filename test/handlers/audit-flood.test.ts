import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../src/handlers/commands/index.ts';
import type { HandlerDeps } from '../../src/handlers/deps.ts';
import { AuditLog } from '../../src/store/audit.ts';
import { AUDIT_OLDER } from '../../src/views/action-ids.ts';
import type { MessageView } from '../../src/views/types.ts';
import { openTestRedis, type TestRedis } from '../support/redis.ts';
import { buttonsOf, visibleText } from '../views/walk.ts';

const APPROVER = 'U0APPROVER';
const FLOODER = 'U0FLOODER';
const JOB = 'ftjob-flooded';

let t: TestRedis;
let audit: AuditLog;
let deps: HandlerDeps;

beforeAll(async () => {
  t = openTestRedis();
  audit = new AuditLog({ redis: t.redis, keys: t.keys, logger: { info: () => {} } });
  // Only what `/ft audit` reads; the audit log itself is the real one on the real Redis.
  deps = {
    audit,
    resources: { names: ['default'] },
    roles: { check: async (user: string) => ({ approver: user === APPROVER, problems: [] }) },
  } as unknown as HandlerDeps;
});
afterAll(async () => {
  await t.cleanup();
});

/** Every page of `/ft audit [job]`, following the "Older entries" button to the end. */
async function allPages(jobId: string | null): Promise<string> {
  const caller = { userId: APPROVER, channelId: 'C0AUDIT', correlationId: 'test' };
  let view: MessageView = await auditLog(deps, caller, jobId);
  let text = visibleText(view);
  for (let guard = 0; guard < 100; guard++) {
    const older = buttonsOf(view).find((b) => b.actionId === AUDIT_OLDER);
    if (!older) return text;
    const before = (older.value ?? '').split('|')[1];
    view = await auditLog(deps, caller, jobId, undefined, before);
    text += visibleText(view);
  }
  throw new Error('the audit log did not end');
}

describe('/ft audit after a flood of refused clicks', () => {
  it('lists every decision, with and without a job, after 100,000 refusals by one user', async () => {
    const decisions = 200;
    const flood = 100_000;
    const perDecision = flood / decisions;
    for (let d = 0; d < decisions; d++) {
      await audit.append({
        event: d % 2 ? 'approved' : 'requested',
        who: `U0D${String(d).padStart(4, '0')}`,
        at: Date.now(),
        action: 'pause',
        jobId: JOB,
        requestId: 'req-flooded',
      });
      const clicks = Array.from({ length: perDecision }, () =>
        audit.append({
          event: 'refused',
          who: FLOODER,
          at: Date.now(),
          action: 'pause',
          jobId: JOB,
          requestId: 'req-flooded',
          outcome: 'approve: not_approver',
        }),
      );
      await Promise.all(clicks);
    }
    for (const scope of [null, JOB]) {
      const text = await allPages(scope);
      for (let d = 0; d < decisions; d++)
        expect(text).toContain(`<@U0D${String(d).padStart(4, '0')}>`);
      // The flood is one line, with its count, and on the first page only.
      expect(text.match(/was refused/g)).toHaveLength(1);
      expect(text).toContain(`<@${FLOODER}> was refused on the request to pause`);
    }
    const [folded] = await audit.refusals({ count: 1 });
    expect(folded?.repeats).toBeGreaterThan(flood - 100);
    // Memory stays bounded: a handful of keys and a single refusal entry, whatever the flood.
    expect(await t.redis.xlen(t.keys.auditRefusals())).toBeLessThanOrEqual(2);
    const keyCount = (await t.redis.keys(`${t.keys.bullPrefix}*`)).length;
    expect(keyCount).toBeLessThanOrEqual(6);
  }, 120_000);
});
