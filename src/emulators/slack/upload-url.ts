import { randomBytes } from 'node:crypto';
import { type Args, str } from './args.ts';
import { type Fail, newFileId, type SlackFile } from './file-objects.ts';
import type { Workspace } from './state.ts';

/** Slack's limit on an image's alt text (`alt_txt_too_large` past it). */
const MAX_ALT_TEXT = 1000;
/** Slack's largest file, 1 GB; the emulator refuses more rather than buffer it. */
export const MAX_FILE_BYTES = 1024 ** 3;

/**
 * `files.getUploadURLExternal`: `filename` and `length` (bytes, a whole number) required;
 * answers `{ upload_url, file_id }`.
 */
export function getUploadURLExternal(
  args: Args,
  ws: Workspace,
  baseUrl: string,
  fail: Fail,
): Record<string, unknown> {
  const filename = str(args, 'filename');
  if (filename === undefined)
    fail('invalid_arguments', ['[ERROR] missing required field: filename']);
  const rawLength = str(args, 'length');
  if (rawLength === undefined)
    fail('invalid_arguments', ['[ERROR] missing required field: length']);
  if (!/^\d+$/.test(rawLength as string))
    fail('invalid_arguments', [
      '[ERROR] failed to match all allowed schemas [json-pointer:/length]',
      '[ERROR] must be an integer [json-pointer:/length]',
    ]);
  const length = Number(rawLength);
  // Slack's docs: `missing_argument` "typically only occurs when the length provided is 0".
  if (length === 0) fail('missing_argument');
  if (length > MAX_FILE_BYTES) fail('file_upload_size_restricted');
  const altText = str(args, 'alt_text') ?? str(args, 'alt_txt');
  if (altText !== undefined && altText.length > MAX_ALT_TEXT) fail('alt_txt_too_large');
  const file: SlackFile = {
    id: newFileId(),
    filename: filename as string,
    length,
    completed: false,
    created: Date.now(),
    shares: [],
  };
  if (altText !== undefined) file.altText = altText;
  const snippetType = str(args, 'snippet_type');
  if (snippetType !== undefined) file.snippetType = snippetType;
  ws.files.set(file.id, file);
  const token = randomBytes(18).toString('base64url');
  ws.uploadTargets.set(token, file.id);
  return { upload_url: `${baseUrl}/upload/v1/${token}`, file_id: file.id };
}
