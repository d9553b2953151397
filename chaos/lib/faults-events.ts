import type { World } from './world.ts';

/**
 * A job's event messages, read from the fine-tuning emulator over HTTP as a client would
 * (faults off): the effects a pause really had, whatever the bot believed.
 */
export async function jobEvents(world: World, apiKey: string, jobId: string): Promise<string[]> {
  const out: string[] = [];
  let after = '';
  for (let page = 0; page < 10; page++) {
    const res = await fetch(
      `${world.ft.azureBaseUrl}/fine_tuning/jobs/${jobId}/events?limit=100${after ? `&after=${after}` : ''}`,
      { headers: { 'api-key': apiKey } },
    );
    const body = (await res.json()) as {
      data?: Array<{ id: string; message: string }>;
      has_more?: boolean;
    };
    if (!res.ok || !Array.isArray(body.data))
      throw new Error(`reading events of ${jobId} answered ${res.status}`);
    out.push(...body.data.map((e) => e.message));
    if (!body.has_more || body.data.length === 0) break;
    after = body.data[body.data.length - 1]?.id ?? '';
  }
  return out;
}
