import { errorText } from '../util/error-text.ts';
import { startFineTuningEmulator } from './fine-tuning/index.ts';

/**
 * `npm run emulator`: the local API stand-ins, for trying ftops (or curl) without Azure or
 * Slack. The fine-tuning emulator serves demo jobs on a clock that follows wall time, on
 * PORT (default 4010). Ctrl-C closes every server and exits.
 */

const API_KEY = 'test-key';
const BEARER_TOKEN = 'test-token';

function parsePort(raw: string | undefined): number {
  const port = Number(raw ?? 4010);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be an integer from 0 to 65535, not '${raw}'.`);
  }
  return port;
}

async function main(): Promise<void> {
  const port = parsePort(process.env.PORT);
  const closers: Array<() => Promise<void>> = [];

  const fineTuning = await startFineTuningEmulator({
    port,
    apiKey: API_KEY,
    bearerTokens: [BEARER_TOKEN],
    realTime: true,
    seedDemoJobs: true,
  });
  closers.push(() => fineTuning.close());

  // Slack emulator: start it here once src/emulators/slack.ts is ready, e.g.
  //   const slack = await startSlackEmulator({ port: port + 1 });
  //   closers.push(() => slack.close());
  // and print its `apiUrl` (SLACK_API_URL) with the lines below.

  console.log(
    [
      'Fine-tuning API emulator: demo jobs, clock following wall time',
      `  Azure   ${fineTuning.azureBaseUrl}   header  api-key: ${API_KEY}`,
      `          (AZURE_OPENAI_ENDPOINT=${fineTuning.url} AZURE_OPENAI_API_KEY=${API_KEY})`,
      `  OpenAI  ${fineTuning.openaiBaseUrl}          header  Authorization: Bearer ${BEARER_TOKEN}`,
      `          (OPENAI_BASE_URL=${fineTuning.openaiBaseUrl} OPENAI_API_KEY=${BEARER_TOKEN})`,
      `  try     curl -H 'api-key: ${API_KEY}' ${fineTuning.azureBaseUrl}/fine_tuning/jobs`,
      'Ctrl-C to stop.',
    ].join('\n'),
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130); // a second Ctrl-C does not wait
    stopping = true;
    console.log(`\n${signal}: closing the emulators…`);
    Promise.all(closers.map((close) => close())).then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('could not close cleanly:', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(errorText(err));
  process.exit(1);
});
