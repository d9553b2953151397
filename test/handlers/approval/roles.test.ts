import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SlackEmulator, startSlackEmulator } from '../../../src/emulators/slack/index.ts';
import { ApproverRoles } from '../../../src/handlers/approval/index.ts';

let emu: SlackEmulator;
let slack: WebClient;

beforeAll(async () => {
  emu = await startSlackEmulator();
  slack = new WebClient(emu.botToken, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } });
});

afterAll(async () => {
  await emu.close();
});

beforeEach(() => {
  emu.reset();
});

function roles(approvers: { users?: string[]; groups?: string[] }, clock = () => 0) {
  return new ApproverRoles({
    slack,
    approvers: { users: approvers.users ?? [], groups: approvers.groups ?? [] },
    clock,
  });
}

describe('ApproverRoles', () => {
  it('a listed user is an approver without asking Slack', async () => {
    const r = roles({ users: ['UBOSS'], groups: ['SOPS'] });
    expect(await r.check('UBOSS')).toEqual({ approver: true, via: 'user', problems: [] });
    expect(emu.callsTo('usergroups.users.list')).toHaveLength(0);
  });

  it('a member of a listed group is an approver via that group', async () => {
    emu.setUsergroup('SOPS', ['U1', 'U2']);
    emu.setUsergroup('SML', ['U3']);
    const r = roles({ groups: ['SOPS', 'SML'] });
    expect(await r.check('U3')).toEqual({ approver: true, via: 'group:SML', problems: [] });
    expect(await r.check('U1')).toEqual({ approver: true, via: 'group:SOPS', problems: [] });
    expect(await r.check('U9')).toEqual({ approver: false, problems: [] });
    expect(emu.callsTo('usergroups.users.list').map((c) => c.args.usergroup)).toEqual([
      'SOPS',
      'SML',
    ]);
  });

  it('nobody is an approver when nothing is configured', async () => {
    expect(await roles({}).check('U1')).toEqual({ approver: false, problems: [] });
  });

  it('caches membership for at most 60 s, and shares one lookup between concurrent checks', async () => {
    emu.setUsergroup('SOPS', ['U1']);
    let now = 0;
    const r = roles({ groups: ['SOPS'] }, () => now);
    const results = await Promise.all(Array.from({ length: 20 }, () => r.check('U1')));
    expect(results.every((x) => x.approver)).toBe(true);
    expect(emu.callsTo('usergroups.users.list')).toHaveLength(1);

    emu.setUsergroup('SOPS', []);
    now = 59_999;
    expect((await r.check('U1')).approver).toBe(true);
    now = 60_000;
    expect((await r.check('U1')).approver).toBe(false);
    expect(emu.callsTo('usergroups.users.list')).toHaveLength(2);
  });

  it('plan_upgrade_required fails closed and points at FT_APPROVER_IDS', async () => {
    emu.setUsergroup('SOPS', { error: 'plan_upgrade_required' });
    const check = await roles({ groups: ['SOPS'] }).check('U1');
    expect(check.approver).toBe(false);
    expect(check.problems).toHaveLength(1);
    expect(check.problems[0]).toMatch(/paid Slack plan/);
    expect(check.problems[0]).toMatch(/user ID in FT_APPROVER_IDS/);
  });

  it('a failed lookup is not cached, so the next check asks again', async () => {
    emu.setUsergroup('SOPS', ['U1']);
    emu.failNext('usergroups.users.list', 'internal_error');
    const r = roles({ groups: ['SOPS'] });
    const first = await r.check('U1');
    expect(first.approver).toBe(false);
    expect(first.problems[0]).toMatch(/SOPS.*internal_error/);
    expect(await r.check('U1')).toEqual({ approver: true, via: 'group:SOPS', problems: [] });
  });

  it('an unknown group or a missing scope is explained', async () => {
    const unknown = await roles({ groups: ['SNOPE'] }).check('U1');
    expect(unknown).toEqual({
      approver: false,
      problems: ['User group SNOPE does not exist; check FT_APPROVER_IDS.'],
    });
    emu.failNext('usergroups.users.list', 'missing_scope');
    emu.setUsergroup('SOPS', ['U1']);
    const scope = await roles({ groups: ['SOPS'] }).check('U1');
    expect(scope.approver).toBe(false);
    expect(scope.problems[0]).toMatch(/usergroups:read/);
  });

  it('Slack unreachable fails closed with a reason', async () => {
    const dead = new WebClient('xoxb-x', {
      slackApiUrl: 'http://127.0.0.1:1/api/',
      retryConfig: { retries: 0 },
    });
    const r = new ApproverRoles({ slack: dead, approvers: { users: [], groups: ['SOPS'] } });
    const check = await r.check('U1');
    expect(check.approver).toBe(false);
    expect(check.problems).toEqual([
      'Slack did not answer whether you are in SOPS, so it is not counted. Try again in a minute.',
    ]);
  });

  it('membership of one group still counts when another group cannot be checked', async () => {
    emu.setUsergroup('SBROKEN', { error: 'plan_upgrade_required' });
    emu.setUsergroup('SOPS', ['U1']);
    const check = await roles({ groups: ['SBROKEN', 'SOPS'] }).check('U1');
    expect(check.approver).toBe(true);
    expect(check.via).toBe('group:SOPS');
    expect(check.problems).toHaveLength(1);
  });
});
