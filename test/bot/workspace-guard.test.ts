import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { homeOf, isFromHome, originOf } from '../../src/bot/workspace-guard.ts';

const home = homeOf({ team_id: 'T0HOME', is_enterprise_install: false });
const gridHome = homeOf({ team_id: 'T0HOME', enterprise_id: 'E0ORG', is_enterprise_install: true });

describe('where a Slack request comes from', () => {
  it('reads the team and enterprise of commands, interactions and events', () => {
    expect(originOf({ team_id: 'T1', enterprise_id: 'E1', command: '/ft' })).toEqual({
      teamId: 'T1',
      enterpriseId: 'E1',
    });
    expect(originOf({ team: { id: 'T2' }, enterprise: null, type: 'block_actions' })).toEqual({
      teamId: 'T2',
    });
    expect(originOf({ team: null, user: { team_id: 'T3' }, enterprise: { id: 'E3' } })).toEqual({
      teamId: 'T3',
      enterpriseId: 'E3',
    });
    expect(originOf(undefined)).toEqual({});
  });

  it('accepts only home: the same team (and organisation), or any team of an org-wide install', () => {
    expect(isFromHome(home, { teamId: 'T0HOME' })).toBe(true);
    expect(isFromHome(home, { teamId: 'T0HOME', enterpriseId: 'E0X' })).toBe(false);
    expect(isFromHome(home, {})).toBe(false);
    expect(isFromHome(gridHome, { teamId: 'T0OTHER', enterpriseId: 'E0ORG' })).toBe(true);
    expect(isFromHome(gridHome, { teamId: 'T0HOME' })).toBe(false);
    fc.assert(
      fc.property(fc.option(fc.string()), fc.option(fc.string()), (team, enterprise) => {
        const origin = originOf({ team_id: team, enterprise_id: enterprise });
        // Nothing but the exact home team, with no other organisation, gets through.
        expect(isFromHome(home, origin)).toBe(team === 'T0HOME' && !enterprise);
      }),
    );
  });
});
