import { describe, expect, it } from 'vitest';
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  FineTuningError,
  InternalServerError,
  InvalidJobIdError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  redact,
  UnprocessableEntityError,
} from '../../src/api/errors.ts';

const azureBody = (code: string, message: string) => ({
  error: { code, message, param: null, type: 'invalid_request_error', inner_error: null },
});

describe('APIError.generate', () => {
  it('maps each status to its class', () => {
    const cases: Array<[number, new (...a: never[]) => APIError]> = [
      [400, BadRequestError],
      [401, AuthenticationError],
      [403, PermissionDeniedError],
      [404, NotFoundError],
      [409, ConflictError],
      [422, UnprocessableEntityError],
      [429, RateLimitError],
      [500, InternalServerError],
      [503, InternalServerError],
    ];
    for (const [status, cls] of cases) {
      const err = APIError.generate(status, {}, undefined);
      expect(err).toBeInstanceOf(cls);
      expect(err).toBeInstanceOf(FineTuningError);
      expect(err.status).toBe(status);
    }
    expect(APIError.generate(418, {}, undefined).constructor).toBe(APIError);
  });

  it('reads the Azure error shape and apim-request-id', () => {
    const err = APIError.generate(
      400,
      {
        error: {
          code: 'invalidJobState',
          message: 'Job is not running.',
          param: 'job_id',
          type: 'error',
          inner_error: { code: 'x' },
        },
      },
      { 'apim-request-id': 'req-azure-1' },
      { action: 'pause', jobId: 'ftjob-abc' },
    );
    expect(err.code).toBe('invalidJobState');
    expect(err.param).toBe('job_id');
    expect(err.requestId).toBe('req-azure-1');
    expect(err.message).toBe('ftjob-abc cannot be paused: Job is not running.');
  });

  it('reads the OpenAI error shape and x-request-id', () => {
    const err = APIError.generate(
      404,
      {
        error: {
          message: 'Could not find fine-tune: ftjob-abc',
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      },
      new Headers({ 'x-request-id': 'req_openai_1' }),
      { action: 'get', jobId: 'ftjob-abc' },
    );
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.requestId).toBe('req_openai_1');
    expect(err.message).toBe('ftjob-abc was not found');
  });

  it('leads a refused resume or cancel with the job and keeps the service message', () => {
    expect(
      APIError.generate(400, azureBody('bad', 'Job is running.'), undefined, {
        action: 'resume',
        jobId: 'ftjob-x1',
      }).message,
    ).toBe('ftjob-x1 cannot be resumed: Job is running.');
    expect(
      APIError.generate(409, {}, undefined, { action: 'cancel', jobId: 'ftjob-x1' }).message,
    ).toMatch(/^ftjob-x1 cannot be cancelled right now/);
  });

  it('tells Entra users which role to grant and key users to check the key', () => {
    const entra401 = APIError.generate(401, {}, undefined, { authType: 'entra', action: 'list' });
    expect(entra401.message).toContain('Cognitive Services OpenAI Contributor');
    const entra403 = APIError.generate(403, {}, undefined, {
      authType: 'entra',
      action: 'pause',
      jobId: 'ftjob-abc',
    });
    expect(entra403.message).toMatch(/lacks access to pause ftjob-abc/);
    expect(entra403.message).toContain('Cognitive Services OpenAI Contributor');
    const key401 = APIError.generate(401, azureBody('401', 'Access denied'), undefined, {
      authType: 'api-key',
    });
    expect(key401.message).toContain('AZURE_OPENAI_API_KEY');
    expect(key401.message).toContain('Access denied');
    const bearer401 = APIError.generate(401, {}, undefined, { authType: 'bearer' });
    expect(bearer401.message).toContain('OPENAI_API_KEY');
  });

  it('says the API is unavailable after retries, with the attempt count and request ID', () => {
    const err = APIError.generate(
      503,
      'Service Unavailable',
      { 'x-request-id': 'r-9' },
      { attempts: 5, action: 'list' },
    );
    expect(err.message).toMatch(
      /the fine-tuning API is unavailable \(503\), tried 5 times, request ID r-9/i,
    );
    expect(err.attempts).toBe(5);
    expect(APIError.generate(429, {}, undefined, { attempts: 1 }).message).toMatch(
      /rate limiting.*tried once/,
    );
  });

  it('copes with bodies that are not the documented shape', () => {
    expect(APIError.generate(400, null, undefined).message).toMatch(/400/);
    expect(APIError.generate(400, '<html>bad gateway</html>', undefined).serviceMessage).toBe(
      '<html>bad gateway</html>',
    );
    expect(APIError.generate(400, { message: 'flat' }, undefined).serviceMessage).toBe('flat');
    expect(APIError.generate(400, { error: 'plain' }, undefined).serviceMessage).toBe('plain');
    expect(APIError.generate(400, { error: { code: 42 } }, undefined).code).toBe('42');
  });

  it('removes secrets that the service echoes', () => {
    const key = 'sk-very-secret-key-123';
    const err = APIError.generate(401, azureBody(key, `Invalid key ${key}`), undefined, {
      authType: 'api-key',
      secrets: [key],
    });
    expect(err.message).not.toContain(key);
    expect(JSON.stringify(err)).not.toContain(key);
    expect(err.code).not.toContain(key);
  });
});

describe('FineTuningError', () => {
  it('serializes only safe fields', () => {
    const err = APIError.generate(
      404,
      {},
      { 'x-request-id': 'r1' },
      { jobId: 'ftjob-a', attempts: 1 },
    );
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: 'NotFoundError',
      message: 'ftjob-a was not found',
      status: 404,
      requestId: 'r1',
      attempts: 1,
      jobId: 'ftjob-a',
    });
  });

  it('InvalidJobIdError shows the (shortened) id and the expected form', () => {
    const err = new InvalidJobIdError(`../${'x'.repeat(100)}`);
    expect(err.message).toMatch(/^"\.\.\/x+…" is not a fine-tuning job ID: expected ftjob-/);
    expect(err.code).toBe('invalid_job_id');
  });

  it('redact replaces every occurrence', () => {
    expect(redact('a secret and secret', ['secret'])).toBe('a [redacted] and [redacted]');
  });
});
