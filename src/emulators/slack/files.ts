/**
 * Slack's current upload flow, as `@slack/web-api`'s `filesUploadV2` drives it:
 * `files.getUploadURLExternal` (a file id and an upload URL on this emulator), a POST of the
 * bytes to that URL (raw, or multipart/form-data as the SDK sends them), then
 * `files.completeUploadExternal`, which shares the file into a channel or thread as a message.
 * The bytes are kept, so a test (or the sandbox page) can read back what was uploaded.
 */

export { handleFileDownload } from './file-download.ts';
export { fileObject, filePath, newFileId, type SlackFile } from './file-objects.ts';
export { handleUpload, multipartFile } from './upload-body.ts';
export { completeUploadExternal } from './upload-complete.ts';
export { getUploadURLExternal, MAX_FILE_BYTES } from './upload-url.ts';
