import { visibleText } from '../../src/emulators/slack/inspect.ts';
import { waitUntil } from './campaign.ts';
import type { World } from './world.ts';

/** The first body posted to `url`, once there is one (undefined after `timeoutMs`). */
export async function firstResponse(
  world: World,
  url: string,
  timeoutMs: number,
  everyMs = 20,
): Promise<Record<string, unknown> | undefined> {
  let body: Record<string, unknown> | undefined;
  await waitUntil(
    () => {
      body = world.slack.responses.find((r) => r.url === url)?.body;
      return body !== undefined;
    },
    timeoutMs,
    everyMs,
  );
  return body;
}

/** The text a person reads in the first answer at `url`. */
export async function firstAnswer(
  world: World,
  url: string,
  timeoutMs: number,
): Promise<string | undefined> {
  const body = await firstResponse(world, url, timeoutMs);
  return body ? visibleText(body) : undefined;
}
