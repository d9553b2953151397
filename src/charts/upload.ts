import type { WebClient } from '@slack/web-api';

/**
 * Posts a chart into a thread with Slack's current upload flow (`filesUploadV2`:
 * files.getUploadURLExternal, the upload, files.completeUploadExternal), the image shared as a
 * reply under `threadTs` (or in the channel without one).
 */

/** What {@link uploadChart} posts. */
export interface ChartUpload {
  channel: string;
  /** The thread to reply in; omit to share the image in the channel itself. */
  threadTs?: string;
  png: Buffer;
  /** Default `chart.png`; Slack tells the file type from its extension. */
  filename?: string;
  title?: string;
  /** The message text above the image. */
  comment?: string;
  /** Read out by screen readers; at most 1,000 characters (Slack's limit). */
  altText?: string;
}

/** The uploaded file as Slack answered: its id, and the message ts when the share is known. */
export interface UploadedChart {
  fileId: string;
  /** Slack fills `shares` asynchronously; absent when the answer did not carry it yet. */
  messageTs?: string;
}

/** Uploads `png` with `client.filesUploadV2`; Slack's errors propagate as the client throws them. */
export async function uploadChart(client: WebClient, upload: ChartUpload): Promise<UploadedChart> {
  const filename = upload.filename ?? 'chart.png';
  const common = {
    file: upload.png,
    filename,
    title: upload.title ?? filename,
    ...(upload.comment ? { initial_comment: upload.comment } : {}),
    ...(upload.altText ? { alt_text: [...upload.altText].slice(0, 1000).join('') } : {}),
  };
  // The SDK's types tell a thread reply (channel and thread_ts) from a channel share.
  const res = await client.filesUploadV2(
    upload.threadTs
      ? { ...common, channel_id: upload.channel, thread_ts: upload.threadTs }
      : { ...common, channel_id: upload.channel },
  );
  // filesUploadV2 answers one completeUploadExternal result per message: [{ files: [file] }].
  const completion = (res.files as Array<{ files?: Array<Record<string, unknown>> }>)[0];
  const file = completion?.files?.[0];
  const fileId = typeof file?.id === 'string' ? file.id : '';
  if (!fileId) throw new Error('files.completeUploadExternal answered without a file id');
  const messageTs = shareTs(file, upload.channel);
  return messageTs ? { fileId, messageTs } : { fileId };
}

/** The ts of the message that shares `file` in `channel`, from the file's `shares`. */
function shareTs(file: Record<string, unknown> | undefined, channel: string): string | undefined {
  const shares = file?.shares as
    | Record<string, Record<string, Array<{ ts?: unknown }>> | undefined>
    | undefined;
  const entry = shares?.public?.[channel]?.[0] ?? shares?.private?.[channel]?.[0];
  return typeof entry?.ts === 'string' ? entry.ts : undefined;
}
