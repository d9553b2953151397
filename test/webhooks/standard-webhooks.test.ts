import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TOLERANCE_SECONDS,
  parseWebhookEvent,
  signWebhook,
  verifyWebhook,
} from '../../src/bot/webhooks/standard-webhooks.ts';

/** The verifier and signer, against fast-check, the spec, and the official `openai` package. */

const newSecret = (bytes = 32) => `whsec_${randomBytes(bytes).toString('base64')}`;
const SECRET = newSecret();
const NOW = 1_719_168_000;
const BODY =
  '{"object":"event","id":"evt_685343a1381c819085d44c354e1b330e","type":"fine_tuning.job.succeeded","created_at":1719168000,"data":{"id":"ftjob-abc123"}}';

function headersFor(id: string, timestamp: number | string, signature: string) {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signature,
  };
}

/** A delivery signed by our signer, ready for `verifyWebhook`. */
function signed(
  o: { id?: string; timestamp?: number; body?: string | Buffer; secret?: string } = {},
) {
  const id = o.id ?? 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
  const timestamp = o.timestamp ?? NOW;
  const body = o.body ?? BODY;
  const secret = o.secret ?? SECRET;
  return {
    headers: headersFor(id, timestamp, signWebhook({ id, timestamp, body, secret })),
    body,
    secret,
    nowSeconds: NOW,
  };
}

/** The spec's signature written out independently of ours: HMAC-SHA256, base64, `v1,`. */
function specSignature(id: string, timestamp: string, body: string, secret: string): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

const secretArb = fc
  .uint8Array({ minLength: 1, maxLength: 64 })
  .map((b) => `whsec_${Buffer.from(b).toString('base64')}`);
const idArb = fc.string({ minLength: 1, maxLength: 80 });
const bodyArb = fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b));
/** Header-safe IDs, since `openai` puts them into a fetch `Headers`. */
const headerIdArb = fc.stringMatching(/^msg_[A-Za-z0-9]{1,40}$/);
const fakeSignatureArb = fc.oneof(
  fc
    .uint8Array({ minLength: 32, maxLength: 32 })
    .map((b) => `v1,${Buffer.from(b).toString('base64')}`),
  fc
    .uint8Array({ minLength: 32, maxLength: 32 })
    .map((b) => `v1a,${Buffer.from(b).toString('base64')}`),
  fc.stringMatching(/^[A-Za-z0-9+/=,]{0,50}$/),
);

describe('verifyWebhook', () => {
  it('accepts a delivery signed with the secret and returns its id and timestamp', () => {
    expect(verifyWebhook(signed())).toEqual({
      ok: true,
      id: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
      timestamp: NOW,
    });
  });

  it('accepts what it signs, for any id, body bytes, timestamp and secret', () => {
    fc.assert(
      fc.property(
        idArb,
        bodyArb,
        fc.integer({ min: 0, max: 99_999_999_999 }),
        secretArb,
        (id, body, timestamp, secret) => {
          const d = signed({ id, body, timestamp, secret });
          expect(verifyWebhook({ ...d, nowSeconds: timestamp })).toEqual({
            ok: true,
            id,
            timestamp,
          });
        },
      ),
    );
  });

  it('refuses a body with any one byte changed', () => {
    fc.assert(
      fc.property(bodyArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (body, at, flip) => {
        const d = signed({ body });
        const tampered = Buffer.from(body);
        const i = at % tampered.length;
        tampered[i] = tampered[i]! ^ flip;
        expect(verifyWebhook({ ...d, body: tampered })).toEqual({
          ok: false,
          reason: 'bad_signature',
        });
      }),
    );
  });

  it('refuses a webhook-id with any one character changed', () => {
    fc.assert(
      fc.property(idArb, fc.nat(), fc.integer({ min: 1, max: 0xffff }), (id, at, shift) => {
        const d = signed({ id });
        const i = at % id.length;
        const changed = String.fromCharCode((id.charCodeAt(i) + shift) % 0x10000);
        fc.pre(changed !== id[i]);
        const tampered = id.slice(0, i) + changed + id.slice(i + 1);
        const verdict = verifyWebhook({ ...d, headers: { ...d.headers, 'webhook-id': tampered } });
        expect(verdict).toEqual({ ok: false, reason: 'bad_signature' });
      }),
    );
  });

  it('refuses any other timestamp inside the window, and the same one written with a leading 0', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -300, max: 300 }).filter((n) => n !== 0),
        (delta) => {
          const d = signed();
          const headers = { ...d.headers, 'webhook-timestamp': String(NOW + delta) };
          expect(verifyWebhook({ ...d, headers })).toEqual({ ok: false, reason: 'bad_signature' });
        },
      ),
    );
    const d = signed();
    const padded = { ...d.headers, 'webhook-timestamp': `0${NOW}` };
    expect(verifyWebhook({ ...d, headers: padded })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('refuses a signature with any one character changed, even where base64 would decode the same', () => {
    const d = signed();
    const sig = d.headers['webhook-signature'];
    // The last data character of 32 bytes in base64 carries two padding bits, so four
    // characters there decode alike: the comparison must be on the text. Every position and
    // every replacement is tried, not a sample, so those few cases are always among them.
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=';
    let tried = 0;
    for (let i = 3; i < sig.length; i++) {
      for (const c of chars) {
        if (sig[i] === c) continue;
        const headers = {
          ...d.headers,
          'webhook-signature': sig.slice(0, i) + c + sig.slice(i + 1),
        };
        expect(verifyWebhook({ ...d, headers })).toEqual({ ok: false, reason: 'bad_signature' });
        tried += 1;
      }
    }
    expect(tried).toBe((sig.length - 3) * (chars.length - 1));
  });

  it('accepts the list when any one entry matches, and refuses it when none does', () => {
    fc.assert(
      fc.property(fc.array(fakeSignatureArb, { maxLength: 6 }), fc.nat(), (fakes, at) => {
        const d = signed();
        const real = d.headers['webhook-signature'];
        const list = [...fakes];
        list.splice(at % (fakes.length + 1), 0, real);
        const withReal = { ...d.headers, 'webhook-signature': list.join(' ') };
        expect(verifyWebhook({ ...d, headers: withReal }).ok).toBe(true);
        fc.pre(fakes.join(' ').trim() !== '');
        const without = { ...d.headers, 'webhook-signature': fakes.join(' ') };
        expect(verifyWebhook({ ...d, headers: without })).toEqual({
          ok: false,
          reason: 'bad_signature',
        });
      }),
    );
  });

  it('accepts a timestamp up to the tolerance away either way and refuses one a second more', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3600 }),
        fc.integer({ min: 1_000_000, max: 9_000_000_000 }),
        fc.boolean(),
        (tolerance, now, future) => {
          const sign = future ? 1 : -1;
          const edge = signed({ timestamp: now + sign * tolerance });
          const past = signed({ timestamp: now + sign * (tolerance + 1) });
          const opts = { nowSeconds: now, toleranceSeconds: tolerance };
          expect(verifyWebhook({ ...edge, ...opts }).ok).toBe(true);
          expect(verifyWebhook({ ...past, ...opts })).toEqual({ ok: false, reason: 'stale' });
        },
      ),
    );
  });

  it('defaults to five minutes', () => {
    expect(DEFAULT_TOLERANCE_SECONDS).toBe(300);
    expect(verifyWebhook({ ...signed({ timestamp: NOW - 300 }) }).ok).toBe(true);
    expect(verifyWebhook({ ...signed({ timestamp: NOW - 301 }) })).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(verifyWebhook({ ...signed({ timestamp: NOW + 301 }) })).toEqual({
      ok: false,
      reason: 'stale',
    });
  });

  it('refuses another secret', () => {
    fc.assert(
      fc.property(secretArb, (other) => {
        fc.pre(other !== SECRET);
        expect(verifyWebhook({ ...signed(), secret: other })).toEqual({
          ok: false,
          reason: 'bad_signature',
        });
      }),
    );
  });

  it('names what is missing or malformed', () => {
    const d = signed();
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const { [name]: _gone, ...rest } = d.headers;
      expect(verifyWebhook({ ...d, headers: rest })).toEqual({
        ok: false,
        reason: 'missing_headers',
      });
      expect(
        verifyWebhook({
          ...d,
          headers: { ...d.headers, [name]: [d.headers[name], d.headers[name]] },
        }),
      ).toEqual({
        ok: false,
        reason: 'missing_headers',
      });
    }
    const longId = { ...d.headers, 'webhook-id': 'm'.repeat(257) };
    expect(verifyWebhook({ ...d, headers: longId })).toEqual({
      ok: false,
      reason: 'missing_headers',
    });
    for (const ts of ['', 'abc', '1719168000.5', '-1719168000', ' 1719168000', '1e9']) {
      const headers = { ...d.headers, 'webhook-timestamp': ts };
      expect(verifyWebhook({ ...d, headers }).ok).toBe(false);
      if (ts !== '')
        expect(verifyWebhook({ ...d, headers })).toEqual({ ok: false, reason: 'bad_timestamp' });
    }
  });

  it('reads headers case-insensitively, from a record or a fetch Headers', () => {
    const d = signed();
    const upper = Object.fromEntries(
      Object.entries(d.headers).map(([k, v]) => [k.toUpperCase(), v]),
    );
    expect(verifyWebhook({ ...d, headers: upper }).ok).toBe(true);
    expect(verifyWebhook({ ...d, headers: new Headers(d.headers) }).ok).toBe(true);
  });

  it('refuses a secret that is not whsec_ and base64, and the signer throws on one', () => {
    const unprefixed = SECRET.slice('whsec_'.length);
    for (const secret of ['', 'whsec_', 'whsec_not base64!', 'whsec_QUJ', 'abc', unprefixed]) {
      expect(verifyWebhook({ ...signed(), secret })).toEqual({ ok: false, reason: 'bad_secret' });
      expect(() => signWebhook({ id: 'msg_1', timestamp: NOW, body: BODY, secret })).toThrow(
        /whsec_/,
      );
    }
    expect(verifyWebhook(signed({ secret: 'whsec_QUJD' })).ok).toBe(true);
  });

  it('signs exactly as the spec says', () => {
    fc.assert(
      fc.property(idArb, fc.string(), fc.nat(), secretArb, (id, body, timestamp, secret) => {
        expect(signWebhook({ id, timestamp, body, secret })).toBe(
          specSignature(id, String(timestamp), body, secret),
        );
      }),
    );
  });

  it('matches the Standard Webhooks reference test vector', () => {
    // From standard-webhooks/standard-webhooks, libraries/javascript/src/index.test.ts.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
    const timestamp = 1614265330;
    const body = '{"test": 2432232314}';
    expect(signWebhook({ id, timestamp, body, secret })).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });
});

describe('against the openai package', () => {
  const wallNow = () => Math.floor(Date.now() / 1000);

  it('unwrap accepts and parses what signWebhook produces', async () => {
    const client = new OpenAI({ apiKey: 'x', webhookSecret: SECRET });
    const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
    const timestamp = wallNow();
    const headers = headersFor(
      id,
      timestamp,
      signWebhook({ id, timestamp, body: BODY, secret: SECRET }),
    );
    const event = await client.webhooks.unwrap(BODY, headers);
    expect(event).toMatchObject({
      type: 'fine_tuning.job.succeeded',
      data: { id: 'ftjob-abc123' },
    });
  });

  it('verifySignature accepts every delivery signWebhook signs, and refuses it tampered', async () => {
    const client = new OpenAI({ apiKey: 'x' });
    await fc.assert(
      fc.asyncProperty(
        headerIdArb,
        fc.string({ minLength: 1 }),
        secretArb,
        async (id, body, secret) => {
          const timestamp = wallNow();
          const headers = headersFor(id, timestamp, signWebhook({ id, timestamp, body, secret }));
          await expect(
            client.webhooks.verifySignature(body, headers, secret),
          ).resolves.toBeUndefined();
          await expect(
            client.webhooks.verifySignature(`${body} `, headers, secret),
          ).rejects.toThrow();
        },
      ),
      { numRuns: 50 },
    );
  });

  it('verifyWebhook agrees with verifySignature on signed, tampered and re-timed deliveries', async () => {
    const client = new OpenAI({ apiKey: 'x' });
    const verdictOfOpenai = (body: string, headers: Record<string, string>, secret: string) =>
      client.webhooks.verifySignature(body, headers, secret).then(
        () => true,
        () => false,
      );
    await fc.assert(
      fc.asyncProperty(
        headerIdArb,
        fc.string({ minLength: 1 }),
        secretArb,
        fc.constantFrom(
          'none',
          'body',
          'id',
          'timestamp',
          'stale',
          'future',
          'secret',
          'extra-entry',
        ),
        async (id, body, secret, change) => {
          const now = wallNow();
          const ts = change === 'stale' ? now - 400 : change === 'future' ? now + 400 : now;
          let headers = headersFor(id, ts, specSignature(id, String(ts), body, secret));
          let sentBody = body;
          let key = secret;
          if (change === 'body') sentBody = `${body}x`;
          if (change === 'id') headers = { ...headers, 'webhook-id': `${id}x` };
          if (change === 'timestamp')
            headers = { ...headers, 'webhook-timestamp': String(now - 1) };
          if (change === 'secret') key = newSecret();
          if (change === 'extra-entry')
            headers = {
              ...headers,
              'webhook-signature': `v1,bm90IGl0 ${headers['webhook-signature']}`,
            };
          const ours = verifyWebhook({
            headers,
            body: sentBody,
            secret: key,
            nowSeconds: wallNow(),
          }).ok;
          expect(ours).toBe(await verdictOfOpenai(sentBody, headers, key));
          expect(ours).toBe(change === 'none' || change === 'extra-entry');
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe('parseWebhookEvent', () => {
  const event = JSON.parse(BODY) as Record<string, unknown>;

  it('reads the three fine-tuning events, keeping unknown fields', () => {
    for (const type of [
      'fine_tuning.job.succeeded',
      'fine_tuning.job.failed',
      'fine_tuning.job.cancelled',
    ]) {
      const parsed = parseWebhookEvent({
        ...event,
        type,
        extra: 1,
        data: { id: 'ftjob-x1', more: true },
      });
      expect(parsed).toMatchObject({
        kind: 'fine_tuning',
        event: { type, data: { id: 'ftjob-x1' }, extra: 1 },
      });
    }
  });

  it('sets other event types aside rather than refusing them', () => {
    expect(
      parseWebhookEvent({ ...event, type: 'batch.completed', data: { id: 'batch_1' } }),
    ).toEqual({
      kind: 'ignored',
      type: 'batch.completed',
    });
    expect(parseWebhookEvent({ ...event, type: 'response.completed', data: 'anything' })).toEqual({
      kind: 'ignored',
      type: 'response.completed',
    });
  });

  it('refuses what is not an event, and a fine-tuning event without a job ID', () => {
    for (const bad of [
      null,
      [],
      'event',
      {},
      { ...event, id: 5 },
      { ...event, type: '' },
      { ...event, object: 'list' },
      { ...event, data: {} },
      { ...event, data: { id: 'ftjob-../../admin' } },
      { ...event, data: { id: 42 } },
    ]) {
      expect(parseWebhookEvent(bad)).toEqual({ kind: 'invalid' });
    }
  });
});
