import type { FineTuningJobCheckpoint } from '../api/schemas.ts';
import { headerBlock, lineBlocks, sectionBlock } from './blocks.ts';
import { metricsText } from './job-format.ts';
import { fitMessage } from './limits.ts';
import { code, EMPTY, type Mrkdwn, md, slackDate, truncate } from './mrkdwn.ts';
import type { MessageView } from './types.ts';

/** One checkpoint as a line: step, metrics and the checkpoint model's name. */
export function checkpointLine(cp: FineTuningJobCheckpoint): Mrkdwn {
  const step = typeof cp.step_number === 'number' ? md`*Step ${cp.step_number}*` : md`*Step ?*`;
  const model = cp.fine_tuned_model_checkpoint
    ? code(truncate(cp.fine_tuned_model_checkpoint, 300))
    : md`_(no model name)_`;
  const metrics = metricsText(cp.metrics, { step: typeof cp.step_number !== 'number' });
  const time = cp.created_at ? md` · ${slackDate(cp.created_at)}` : EMPTY;
  return md`• ${step} · ${model}${metrics ? md` · ${metrics}` : EMPTY}${time}`;
}

/** The `/ft checkpoints` answer: step, metrics and model name of each checkpoint. */
export function checkpointsView(
  jobId: string,
  checkpoints: readonly FineTuningJobCheckpoint[],
): MessageView {
  if (checkpoints.length === 0) {
    const none = md`No checkpoints yet for ${code(jobId)}.`;
    return fitMessage({ text: none, blocks: [sectionBlock(none)] });
  }
  const blocks = [
    headerBlock(`Checkpoints of ${jobId}`),
    ...lineBlocks(checkpoints.map(checkpointLine), { maxBlocks: 48, noun: 'checkpoints' }),
  ];
  return fitMessage({ text: md`${checkpoints.length} checkpoints of ${code(jobId)}`, blocks });
}
