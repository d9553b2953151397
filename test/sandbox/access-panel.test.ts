import { describe, expect, it } from 'vitest';
import type { AccessConfig, ResourceConfig } from '../../src/bot/config/index.ts';
import { describeAccess } from '../../src/sandbox/access-panel.ts';
import { buildDirectory } from '../../src/sandbox/directory.ts';

const directory = buildDirectory({ users: [], groups: ['S0APPROVERS'] });
const approval = {
  approvers: { users: [], groups: [] },
  gatedActions: ['pause', 'cancel'] as const,
  approvalsRequired: 1,
  selfService: false,
  ttlMinutes: 60,
};
const resource = (name: string, kind: 'azure' | 'openai', baseUrl: string): ResourceConfig => ({
  name,
  kind,
  baseUrl,
  auth: { type: 'api-key', key: 'never-shown' },
  pollIntervalSeconds: 60,
  approval: { ...approval, gatedActions: [...approval.gatedActions] },
});
const resources = [
  resource('east', 'azure', 'https://east.openai.azure.com/openai/v1'),
  resource('platform', 'openai', 'https://api.openai.com/v1'),
];

describe('the side panel’s resources and channel rules', () => {
  it('lists each resource by name, kind and endpoint, and never its key', () => {
    const panel = describeAccess(
      {
        resources,
        access: {
          admins: { users: [], groups: [] },
          channels: {},
          default: { allow: [{ resources: 'all', verbs: 'all' }], source: 'the default' },
        },
      },
      directory,
    );
    expect(panel.resources).toEqual([
      { name: 'east', kind: 'azure', endpoint: 'https://east.openai.azure.com/openai/v1' },
      { name: 'platform', kind: 'openai', endpoint: 'https://api.openai.com/v1' },
    ]);
    expect(JSON.stringify(panel)).not.toContain('never-shown');
    // Every channel of the workspace, each under the default here.
    expect(panel.channels.map((c) => c.label)).toEqual([
      '#ml-training',
      '#approvals',
      '#team-vision',
      '#team-nlp',
    ]);
    expect(panel.channels[0]).toEqual({
      channel: 'C0TRAINING',
      label: '#ml-training',
      source: 'the default',
      lines: ['east: every command', 'platform: every command'],
    });
  });

  it('says per channel what it may run on each resource it sees, who may use it, and what it cannot see', () => {
    const access: AccessConfig = {
      admins: { users: [], groups: [] },
      default: { allow: [], source: 'ftops.yaml → access.default' },
      channels: {
        C0TEAMVISION: {
          name: 'team-vision',
          users: { users: ['U0REQUEST'], groups: ['S0APPROVERS'] },
          allow: [
            { resources: ['east'], verbs: ['list', 'status'] },
            // A verb named twice, and the always-allowed ones, are said once and not at all.
            { resources: ['east', 'platform'], verbs: ['status', 'help', 'policy'] },
          ],
          source: 'ftops.yaml → access.channels.C0TEAMVISION',
        },
      },
    };
    const panel = describeAccess({ resources, access }, directory);
    const vision = panel.channels.find((c) => c.channel === 'C0TEAMVISION');
    expect(vision).toEqual({
      channel: 'C0TEAMVISION',
      label: '#team-vision',
      source: 'ftops.yaml → access.channels.C0TEAMVISION',
      lines: [
        'east: list, status',
        'platform: status',
        'only @approvers, riley may use ftops here',
      ],
    });
    expect(panel.channels.find((c) => c.channel === 'C0APPROVALS')).toEqual({
      channel: 'C0APPROVALS',
      label: '#approvals',
      source: 'ftops.yaml → access.default',
      lines: ['sees no resource'],
    });
  });
});
