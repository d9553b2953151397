import type { FineTuningJob } from '../api/schemas.ts';
import { contextBlock, headerBlock, lineBlocks, sectionBlock } from './blocks.ts';
import { jobIdentity, statusText } from './job-format.ts';
import { fitMessage } from './limits.ts';
import { code, EMPTY, escapeInline, type Mrkdwn, md, timeAgo } from './mrkdwn.ts';
import type { MessageView } from './types.ts';

/** One job as a compact line: `🏃 `ftjob-abc` · `gpt-4o-mini` · `suffix` — running · 3h ago`. */
export function jobLine(job: FineTuningJob, now: number): Mrkdwn {
  const age = job.created_at ? md` · ${escapeInline(timeAgo(job.created_at, now))}` : EMPTY;
  return md`${statusText(job.status)} — ${jobIdentity(job)}${age}`;
}

/**
 * The `/ft list` answer: one line per job, newest first as given. Long lists are cut to fit
 * Block Kit and end with "…and N more".
 */
export function jobList(
  jobs: readonly FineTuningJob[],
  opts: {
    now: number;
    hasMore?: boolean;
    /** Resources that did not answer: the list is what the others said. */
    unavailable?: ReadonlyArray<{ resource: string; message: string }>;
  },
): MessageView {
  const missing = (opts.unavailable ?? []).map(
    (u) =>
      md`⚠️ ${code(u.resource)} did not answer (${escapeInline(u.message)}); its jobs are not listed.`,
  );
  if (jobs.length === 0) {
    return fitMessage({
      text: md`No fine-tuning jobs found.`,
      blocks: [
        sectionBlock(md`No fine-tuning jobs found.`),
        ...missing.map((m) => contextBlock(m)),
      ],
    });
  }
  const count = md`${jobs.length} fine-tuning job${jobs.length === 1 ? EMPTY : md`s`}`;
  const blocks = [
    headerBlock(`Fine-tuning jobs (${jobs.length})`),
    ...lineBlocks(
      jobs.map((j) => jobLine(j, opts.now)),
      { maxBlocks: 45, maxLineLength: 400, noun: 'jobs' },
    ),
  ];
  for (const m of missing) blocks.push(contextBlock(m));
  if (opts.hasMore)
    blocks.push(contextBlock(md`More jobs exist: ask for more with \`/ft list 50\`.`));
  blocks.push(contextBlock(md`\`/ft status &lt;job&gt;\` shows one in full.`));
  return fitMessage({ text: count, blocks });
}
