import { z } from 'zod';
import { InvalidJobIdError } from './errors.ts';
import { path } from './path.ts';
import type { createRequester } from './request.ts';
import type { CallOptions } from './types.ts';

/**
 * `GET /files/{id}/content`: a job's result file (`result_files[0]`), returned as the text
 * the service sent. Some deployments send it base64-encoded or as a JSON string; reading what
 * it says is src/training's job, not the client's.
 */

/** The most of a file ftops reads: a 200,000-step result file is about 15 MB. */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;

/** File IDs as both services make them (`file-abc…`, `assistant-…`): letters, digits, `-`, `_`. */
export const FILE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export function isValidFileId(id: string): boolean {
  return typeof id === 'string' && FILE_ID_PATTERN.test(id);
}

/** `/files/{id}/content`, the id gated and encoded; a bad one never reaches a URL. */
export function fileContentPath(id: string): string {
  // The job-ID error says "not a valid ID" in the words users see; a file ID is never typed.
  if (!isValidFileId(id)) throw new InvalidJobIdError(String(id));
  return path`/files/${id}/content`;
}

/** What the client offers on files. */
export interface FilesClient {
  /** The file's content as text; refused (InvalidResponseError) beyond `MAX_FILE_BYTES`. */
  getFileContent(fileId: string, opts?: CallOptions): Promise<string>;
}

/** The files resource over the client's one requester. */
export function createFilesResource(call: ReturnType<typeof createRequester>): FilesClient {
  return {
    getFileContent: async (fileId, opts = {}) =>
      call({
        method: 'GET',
        path: fileContentPath(fileId),
        schema: z.string(),
        body: 'text',
        action: 'file',
        fileId,
        maxBodyBytes: MAX_FILE_BYTES,
        signal: opts.signal,
      }),
  };
}
