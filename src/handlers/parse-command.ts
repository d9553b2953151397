import { isValidJobId } from '../api/job-id.ts';
import { KNOWN_STATUSES, type KnownStatus } from '../api/schemas.ts';
import { isVerb, type MutatingVerb, VERBS, type Verb } from './verbs.ts';

/**
 * The `/ft` text parser: a pure function from what the user typed to a typed command or a
 * typed error. It never throws, and every job ID it returns has passed `isValidJobId`, so the
 * handlers can put it in a URL. Reasons are kept as raw text; views escape them.
 */

/** `list` shows this many jobs when no number is given. */
export const LIST_DEFAULT = 10;
/** The most jobs `list` shows. */
export const LIST_MAX = 50;
/** Reasons longer than this are cut (with an ellipsis). */
export const REASON_MAX = 500;

/** A parsed `/ft` command. `jobId: null` on watch/unwatch means every job; on audit, all jobs. */
export type Command =
  | { verb: 'help' }
  | { verb: 'list'; limit: number }
  | { verb: 'status' | 'events' | 'checkpoints'; jobId: string }
  | { verb: MutatingVerb; jobId: string; reason: string | null; dryRun: boolean }
  | { verb: 'watch'; jobId: string | null; only: KnownStatus[] | null }
  | { verb: 'unwatch'; jobId: string | null }
  | { verb: 'audit'; jobId: string | null }
  | { verb: 'watching' | 'approvals' | 'whoami' };

/** Why a command could not be parsed; `parseErrorMessage` turns it into words. */
export type ParseError =
  | { kind: 'unknown_verb'; verb: string; suggestion?: Verb }
  | { kind: 'missing_job'; verb: Verb }
  | { kind: 'invalid_job'; verb: Verb; input: string }
  | {
      kind: 'bad_argument';
      verb: Verb;
      /** Which argument: `n`, `--only`, a flag as typed, or `extra` for surplus words. */
      argument: string;
      input: string;
      expected: string;
      allowed?: readonly string[];
    };

/** The parser's result: a command, or an error to show the user. */
export type ParsedCommand = { ok: true; command: Command } | { ok: false; error: ParseError };

/** How each verb is written and what it does, for help and error messages. */
export const COMMAND_USAGE: Record<Verb, { usage: string; summary: string }> = {
  help: { usage: 'help', summary: 'show this help' },
  list: {
    usage: `list [n]`,
    summary: `the latest n jobs (default ${LIST_DEFAULT}, at most ${LIST_MAX})`,
  },
  status: { usage: 'status <job>', summary: 'a job card with status, timing and buttons' },
  events: { usage: 'events <job>', summary: 'the latest events of a job, with metrics' },
  checkpoints: { usage: 'checkpoints <job>', summary: 'the checkpoints a job has saved' },
  pause: { usage: 'pause <job> [reason] [--dry-run]', summary: 'pause a running job' },
  resume: { usage: 'resume <job> [--dry-run]', summary: 'resume a paused job' },
  cancel: { usage: 'cancel <job> [reason] [--dry-run]', summary: 'cancel a job for good' },
  watch: {
    usage: 'watch <job>|all [--only failed,succeeded,…]',
    summary: 'announce status changes in this channel',
  },
  unwatch: { usage: 'unwatch <job>|all', summary: 'stop announcing in this channel' },
  watching: { usage: 'watching', summary: 'what this channel watches' },
  approvals: { usage: 'approvals', summary: 'approval requests waiting for a decision' },
  audit: { usage: 'audit [job]', summary: 'recent actions taken through ftops' },
  whoami: { usage: 'whoami', summary: 'your role and what you may run' },
};

/** A token of the command text, with where it sits so the raw remainder can be kept. */
interface Token {
  text: string;
  start: number;
}

const ok = (command: Command): ParsedCommand => ({ ok: true, command });
const fail = (error: ParseError): ParsedCommand => ({ ok: false, error });

/** Parses the text after `/ft`. Never throws; empty text means `help`. */
export function parseCommand(text: string): ParsedCommand {
  try {
    return parse(typeof text === 'string' ? text : '');
  } catch {
    // Defensive only: every path above returns; a bug must still not crash a handler.
    return fail({ kind: 'unknown_verb', verb: '' });
  }
}

function parse(text: string): ParsedCommand {
  const tokens = tokenize(text);
  const first = tokens[0];
  if (!first) return ok({ verb: 'help' });
  const word = first.text.toLowerCase();
  if (!isVerb(word)) {
    const verb = clip(decodeEntities(first.text), 64);
    const suggestion = suggestVerb(word);
    return fail({ kind: 'unknown_verb', verb, ...(suggestion ? { suggestion } : {}) });
  }
  const verb = word;
  const rest = tokens.slice(1);
  switch (verb) {
    case 'help':
      return ok({ verb });
    case 'watching':
    case 'approvals':
    case 'whoami':
      return noExtra(verb, rest) ?? ok({ verb });
    case 'list':
      return parseList(rest);
    case 'status':
    case 'events':
    case 'checkpoints': {
      const bad = firstFlag(verb, rest);
      if (bad) return bad;
      const [job, ...extra] = rest;
      if (!job) return fail({ kind: 'missing_job', verb });
      const id = toJobId(verb, job);
      if (!id.ok) return id.result;
      return noExtra(verb, extra) ?? ok({ verb, jobId: id.jobId });
    }
    case 'audit': {
      const bad = firstFlag(verb, rest);
      if (bad) return bad;
      const [job, ...extra] = rest;
      if (!job) return ok({ verb, jobId: null });
      const id = toJobId(verb, job);
      if (!id.ok) return id.result;
      return noExtra(verb, extra) ?? ok({ verb, jobId: id.jobId });
    }
    case 'pause':
    case 'resume':
    case 'cancel':
      return parseMutating(verb, text, rest);
    case 'watch':
    case 'unwatch':
      return parseWatch(verb, rest);
  }
}

function parseList(rest: Token[]): ParsedCommand {
  const bad = firstFlag('list', rest);
  if (bad) return bad;
  const [n, ...extra] = rest;
  if (!n) return ok({ verb: 'list', limit: LIST_DEFAULT });
  const limit = /^\d{1,3}$/.test(n.text) ? Number(n.text) : Number.NaN;
  if (!(limit >= 1 && limit <= LIST_MAX)) {
    return fail({
      kind: 'bad_argument',
      verb: 'list',
      argument: 'n',
      input: clip(n.text, 64),
      expected: `a number from 1 to ${LIST_MAX}`,
    });
  }
  return noExtra('list', extra) ?? ok({ verb: 'list', limit });
}

function parseMutating(verb: MutatingVerb, text: string, rest: Token[]): ParsedCommand {
  const dryRun = rest.some((t) => isDryRunFlag(t.text));
  const args = rest.filter((t) => !isDryRunFlag(t.text));
  const job = args[0];
  if (!job) return fail({ kind: 'missing_job', verb });
  // A flag where the job ID should be is a mistyped option, not a strange job ID.
  const flag = flagName(job.text);
  if (flag !== null) return unknownFlag(verb, job.text);
  const id = toJobId(verb, job);
  if (!id.ok) return id.result;
  // The reason is the raw text after the job ID, with any --dry-run taken out.
  // Each kept token brings the whitespace after it, so the user's spacing survives.
  const from = rest.indexOf(job) + 1;
  let reason = '';
  for (let i = from; i < rest.length; i++) {
    const t = rest[i] as Token;
    if (isDryRunFlag(t.text)) continue;
    const next = rest[i + 1];
    reason += text.slice(t.start, next ? next.start : t.start + t.text.length);
  }
  return ok({ verb, jobId: id.jobId, reason: cleanReason(reason), dryRun });
}

function parseWatch(verb: 'watch' | 'unwatch', rest: Token[]): ParsedCommand {
  let only: KnownStatus[] | null = null;
  const args: Token[] = [];
  for (let i = 0; i < rest.length; i++) {
    const t = rest[i] as Token;
    const flag = flagName(t.text);
    if (flag === null) {
      args.push(t);
      continue;
    }
    const [name, inline] = splitOnce(flag, '=');
    if (verb !== 'watch' || name !== 'only') return unknownFlag(verb, t.text);
    let value = inline;
    if (value === undefined) {
      const next = rest[i + 1];
      if (next && flagName(next.text) === null) {
        value = next.text;
        i++;
        // `--only failed, succeeded`: a trailing comma continues the list.
        while (value.endsWith(',') && rest[i + 1] && flagName(rest[i + 1]!.text) === null) {
          value += rest[i + 1]!.text;
          i++;
        }
      }
    }
    const parsed = parseOnly(value ?? '');
    if (!parsed.ok) return parsed.result;
    only = parsed.statuses;
  }
  const [target, ...extra] = args;
  if (!target) return fail({ kind: 'missing_job', verb });
  const scope = unwrapJobId(target.text).toLowerCase() === 'all' ? null : undefined;
  const noMore = noExtra(verb, extra);
  if (scope === null) {
    if (noMore) return noMore;
    return verb === 'watch' ? ok({ verb, jobId: null, only }) : ok({ verb, jobId: null });
  }
  const id = toJobId(verb, target);
  if (!id.ok) return id.result;
  if (noMore) return noMore;
  return verb === 'watch' ? ok({ verb, jobId: id.jobId, only }) : ok({ verb, jobId: id.jobId });
}

function parseOnly(
  value: string,
): { ok: true; statuses: KnownStatus[] } | { ok: false; result: ParsedCommand } {
  const parts = value
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter((p) => p.length > 0);
  const known = KNOWN_STATUSES as readonly string[];
  const unknown = parts.find((p) => !known.includes(p));
  if (parts.length === 0 || unknown !== undefined) {
    return {
      ok: false,
      result: fail({
        kind: 'bad_argument',
        verb: 'watch',
        argument: '--only',
        input: clip(unknown ?? value, 64),
        expected: 'a comma-separated list of job statuses',
        allowed: KNOWN_STATUSES,
      }),
    };
  }
  return { ok: true, statuses: [...new Set(parts)] as KnownStatus[] };
}

function toJobId(
  verb: Verb,
  token: Token,
): { ok: true; jobId: string } | { ok: false; result: ParsedCommand } {
  const id = unwrapJobId(token.text);
  if (isValidJobId(id)) return { ok: true, jobId: id };
  return {
    ok: false,
    result: fail({ kind: 'invalid_job', verb, input: clip(decodeEntities(token.text), 200) }),
  };
}

function noExtra(verb: Verb, extra: Token[]): ParsedCommand | undefined {
  const first = extra[0];
  if (!first) return undefined;
  if (flagName(first.text) !== null) return unknownFlag(verb, first.text);
  return fail({
    kind: 'bad_argument',
    verb,
    argument: 'extra',
    input: clip(extra.map((t) => t.text).join(' '), 64),
    expected: `nothing more: the usage is /ft ${COMMAND_USAGE[verb].usage}`,
  });
}

function firstFlag(verb: Verb, rest: Token[]): ParsedCommand | undefined {
  const flag = rest.find((t) => flagName(t.text) !== null);
  return flag ? unknownFlag(verb, flag.text) : undefined;
}

function unknownFlag(verb: Verb, input: string): ParsedCommand {
  const dry = isDryRunFlag(input);
  return fail({
    kind: 'bad_argument',
    verb,
    argument: clip(input, 64),
    input: clip(input, 64),
    expected: dry
      ? '--dry-run only with pause, resume or cancel'
      : verb === 'watch'
        ? 'only --only after watch'
        : `no options: the usage is /ft ${COMMAND_USAGE[verb].usage}`,
  });
}

/**
 * The name of an option token, or null when the token is not an option. Slack's desktop
 * clients turn a typed `--` into an em or en dash, so those count as the prefix too.
 */
function flagName(token: string): string | null {
  const m = /^(?:--|—|–)(.*)$/s.exec(token);
  return m ? (m[1] as string).toLowerCase() : null;
}

function isDryRunFlag(token: string): boolean {
  const name = flagName(token);
  return name === 'dry-run' || name === 'dryrun' || name === 'dry_run';
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i === -1 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

/**
 * Splits on whitespace, keeping a Slack link `<url|label with spaces>` in one token so its
 * label's spaces do not split it.
 */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const ws = /\s/u;
  // Next `>` and `|` at or after i, cached so that hostile input stays linear.
  let close = -2;
  let bar = -2;
  let i = 0;
  while (i < text.length) {
    if (ws.test(text[i] as string)) {
      i++;
      continue;
    }
    const start = i;
    if (text[i] === '<') {
      if (close !== -1 && close < i) close = text.indexOf('>', i);
      if (bar !== -1 && bar < i) bar = text.indexOf('|', i);
      // Only a `<…>` holding `|` may contain spaces (a link label); jump to its end.
      if (close !== -1 && bar !== -1 && bar < close) i = close + 1;
    }
    while (i < text.length && !ws.test(text[i] as string)) i++;
    tokens.push({ text: text.slice(start, i), start });
  }
  return tokens;
}

/** Quote-like characters users (and their keyboards' smart punctuation) wrap IDs in. */
const QUOTES = new Set(['`', '"', "'", '“', '”', '‘', '’', '„', '‚', '«', '»']);

/**
 * Peels the wrappers a job ID may arrive in: code spans, quotes, angle brackets, Slack links
 * `<url|label>`, and URLs whose path holds the ID. What comes out still has to pass
 * `isValidJobId`; this function only unwraps, it never vouches.
 */
export function unwrapJobId(token: string): string {
  let s = decodeEntities(token.trim());
  for (let depth = 0; depth < 12 && s.length > 0; depth++) {
    if (isValidJobId(s)) return s;
    if (s.length >= 2 && s.startsWith('<') && s.endsWith('>')) {
      const inner = s.slice(1, -1);
      const bar = inner.indexOf('|');
      if (bar !== -1) {
        const fromUrl = unwrapJobId(inner.slice(0, bar));
        if (isValidJobId(fromUrl)) return fromUrl;
        s = inner.slice(bar + 1).trim();
      } else {
        s = inner.trim();
      }
      continue;
    }
    const head = s[0] as string;
    const tail = s[s.length - 1] as string;
    if (s.length >= 2 && QUOTES.has(head) && QUOTES.has(tail)) {
      s = s.slice(1, -1).trim();
      continue;
    }
    if (/^https?:\/\//i.test(s)) return idFromUrl(s) ?? s;
    break;
  }
  return s;
}

/** The last path (or fragment-path) segment of an http(s) URL that is a valid job ID. */
function idFromUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  // Segments are not percent-decoded on purpose: `%2F` and friends must fail the gate.
  // Portals with hash routing keep the ID in the fragment, so that is searched after the path.
  for (const part of [url.pathname, url.hash.slice(1)]) {
    const segments = part.split(/[/?&=]/);
    for (let i = segments.length - 1; i >= 0; i--) {
      const seg = segments[i] as string;
      if (isValidJobId(seg)) return seg;
    }
  }
  return null;
}

/** Slack sends `&`, `<` and `>` typed by the user as entities; the parser wants the characters. */
function decodeEntities(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function cleanReason(raw: string): string | null {
  const s = decodeEntities(raw).trim();
  if (s.length === 0) return null;
  return clip(s, REASON_MAX);
}

/** Cuts to `max` UTF-16 units with an ellipsis, never splitting a surrogate pair. */
function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = max - 1;
  const last = s.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${s.slice(0, cut)}…`;
}

/** The verb within Damerau–Levenshtein distance 2 of `word`, closest first, if any. */
export function suggestVerb(word: string): Verb | undefined {
  if (word.length === 0 || word.length > 24) return undefined;
  let best: Verb | undefined;
  let bestDistance = 3;
  for (const verb of VERBS) {
    const d = editDistance(word, verb);
    if (d < bestDistance) {
      best = verb;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal-string-alignment distance: insertions, deletions, substitutions, transpositions. */
export function editDistance(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  const rows: number[][] = [];
  for (let i = 0; i <= x.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= y.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const up = rows[i - 1] as number[];
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let d = Math.min(
        (up[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (up[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) {
        d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(d);
    }
    rows.push(row);
  }
  return (rows[x.length] as number[])[y.length] as number;
}

/** A one-paragraph, plain-text (not yet escaped) message telling the user what went wrong. */
export function parseErrorMessage(error: ParseError): string {
  switch (error.kind) {
    case 'unknown_verb': {
      const hint = error.suggestion ? ` Did you mean /ft ${error.suggestion}?` : '';
      return `I don't know the command "${error.verb}".${hint} Try /ft help for the list.`;
    }
    case 'missing_job':
      return `/ft ${error.verb} needs a job ID, like ftjob-abc123. Usage: /ft ${COMMAND_USAGE[error.verb].usage}`;
    case 'invalid_job':
      return `"${clip(error.input, 80)}" is not a fine-tuning job ID. Job IDs look like ftjob-abc123: "ftjob-" then letters, digits, "-" or "_". A link to the job works too.`;
    case 'bad_argument': {
      const what =
        error.argument === 'extra' ? `"${error.input}"` : `"${error.input}" for ${error.argument}`;
      const allowed = error.allowed ? ` Allowed: ${error.allowed.join(', ')}.` : '';
      return `/ft ${error.verb} did not expect ${what}: expected ${error.expected}.${allowed}`;
    }
  }
}
