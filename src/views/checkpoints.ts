import type { FineTuningJobCheckpoint } from '../api/schemas.ts';
import { headerBlock, lineBlocks, sectionBlock } from './blocks.ts';
import { metricsText } from './job-format.ts';
import { fitMessage } from './limits.ts';
import { code, slackDate, truncate } from './mrkdwn.ts';
import type { MessageView } from './types.ts';

/** One checkpoint as a line: step, metrics and the checkpoint model's name. */
export function checkpointLine(cp: FineTuningJobCheckpoint): string {
  const step = typeof cp.step_number === 'number' ? `*Step ${cp.step_number}*` : '*Step ?*';
  const model = cp.fine_tuned_model_checkpoint
    ? code(truncate(cp.fine_tuned_model_checkpoint, 300))
    : '_(no model name)_';
  const metrics = metricsText(cp.metrics, { step: typeof cp.step_number !== 'number' });
  const time = cp.created_at ? ` · ${slackDate(cp.created_at)}` : '';
  return `• ${step} · ${model}${metrics ? ` · ${metrics}` : ''}${time}`;
}

/** The `/ft checkpoints` answer: step, metrics and model name of each checkpoint. */
export function checkpointsView(
  jobId: string,
  checkpoints: readonly FineTuningJobCheckpoint[],
): MessageView {
  if (checkpoints.length === 0) {
    const none = `No checkpoints yet for ${code(jobId)}.`;
    return fitMessage({ text: none, blocks: [sectionBlock(none)] });
  }
  const blocks = [
    headerBlock(`Checkpoints of ${jobId}`),
    ...lineBlocks(checkpoints.map(checkpointLine), { maxBlocks: 48, noun: 'checkpoints' }),
  ];
  return fitMessage({ text: `${checkpoints.length} checkpoints of ${code(jobId)}`, blocks });
}
