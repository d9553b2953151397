import type { AddJobInput } from '../emulators/fine-tuning/index.ts';

/**
 * The sandbox's two fine-tuning resources and two team channels, and the FT_CONFIG file that
 * names them: an Azure resource and the OpenAI platform, each its own emulator, with channel
 * rules that differ per team while every other channel may do everything (so the tour in
 * #ml-training and #approvals works as it does with one resource).
 */

/** The Azure resource (the first emulator, with the demo jobs of src/emulators/fine-tuning/demo.ts). */
export const AZURE_RESOURCE = 'azure-eastus';
/** The OpenAI platform (the second emulator, with the jobs of {@link platformJobs}). */
export const OPENAI_RESOURCE = 'openai-platform';

/** The variables the file names for the two API keys; set only in the env the sandbox loads. */
export const KEY_VARIABLES = {
  [AZURE_RESOURCE]: 'SANDBOX_AZURE_EASTUS_KEY',
  [OPENAI_RESOURCE]: 'SANDBOX_OPENAI_PLATFORM_KEY',
} as const;

/** #team-vision: everything on azure-eastus, only reading on openai-platform. */
export const VISION_CHANNEL = {
  id: 'C0TEAMVISION',
  name: 'team-vision',
  topic: `Everything on ${AZURE_RESOURCE}; only reading on ${OPENAI_RESOURCE}`,
} as const;
/** #team-nlp: everything on openai-platform, only `status` on azure-eastus. */
export const NLP_CHANNEL = {
  id: 'C0TEAMNLP',
  name: 'team-nlp',
  topic: `Everything on ${OPENAI_RESOURCE}; only status on ${AZURE_RESOURCE}`,
} as const;

/** The channels the file gives rules of their own. */
export const TEAM_CHANNELS = [VISION_CHANNEL, NLP_CHANNEL] as const;

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * The OpenAI platform's jobs around virtual time `now` (ms). The first has `sharedId`, an ID
 * the Azure resource also has, so a bare `/ft status <id>` in a channel that sees both asks
 * which resource was meant.
 */
export function platformJobs(now: number, sharedId: string): AddJobInput[] {
  const at = (msAgo: number) => Math.floor((now - msAgo) / 1000);
  return [
    {
      id: sharedId,
      model: 'gpt-4.1-mini-2025-04-14',
      user_provided_suffix: 'doc-search-oai',
      status: 'running',
      created_at: at(90 * MIN),
      steps: 3_000,
      step: 400,
      durations: { stepMs: 2_000 },
      metadata: { team: 'nlp' },
    },
    {
      model: 'gpt-4o-mini-2024-07-18',
      user_provided_suffix: 'ner-tagger',
      status: 'running',
      created_at: at(20 * MIN),
      steps: 4_000,
      step: 600,
      durations: { stepMs: 2_000 },
      metadata: { team: 'nlp', owner: 'riley' },
    },
    {
      model: 'gpt-4.1-nano-2025-04-14',
      user_provided_suffix: 'sentiment',
      status: 'queued',
      created_at: at(MIN),
      steps: 200,
      durations: { queuedMs: 5 * MIN },
      metadata: { team: 'nlp' },
    },
    {
      model: 'gpt-4o-2024-08-06',
      user_provided_suffix: 'summarizer',
      status: 'succeeded',
      created_at: at(5 * HOUR),
      steps: 300,
      metadata: { team: 'nlp' },
    },
  ];
}

/**
 * The FT_CONFIG file (YAML) for the two emulators: `azureEndpoint` is the Azure emulator's
 * root (ftops adds `/openai/v1`), `openaiBaseUrl` the other's `/v1`. No approval settings:
 * both resources take them from the environment, as the side panel's approval rules say.
 */
export function sandboxConfigFile(input: { azureEndpoint: string; openaiBaseUrl: string }): string {
  return `# Written by npm run sandbox for this run only; removed when it stops.
resources:
  ${AZURE_RESOURCE}:
    kind: azure
    endpoint: ${input.azureEndpoint}
    auth: { api_key_env: ${KEY_VARIABLES[AZURE_RESOURCE]} }
  ${OPENAI_RESOURCE}:
    kind: openai
    base_url: ${input.openaiBaseUrl}
    auth: { api_key_env: ${KEY_VARIABLES[OPENAI_RESOURCE]} }

access:
  default: # #ml-training, #approvals and direct messages: everything, everywhere
    allow: { resources: all, verbs: all }
  channels:
    ${VISION_CHANNEL.id}:
      name: ${VISION_CHANNEL.name}
      allow:
        - { resources: [${AZURE_RESOURCE}], verbs: all }
        - { resources: [${OPENAI_RESOURCE}], verbs: [list, status, events, checkpoints, watch, unwatch, watching] }
    ${NLP_CHANNEL.id}:
      name: ${NLP_CHANNEL.name}
      allow:
        - { resources: [${OPENAI_RESOURCE}], verbs: all }
        - { resources: [${AZURE_RESOURCE}], verbs: [status] }
`;
}
