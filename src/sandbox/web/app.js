// The sandbox page: a small Slack look-alike that shows what the bot really posted (from the
// Slack emulator) and sends what you do back to the bot, signed by the sandbox server as
// Slack would. Everything from the bot is rendered through render.js into DOM nodes built
// with createElement and text nodes; nothing is ever assigned to innerHTML.

import { h, mrkdwn, renderMessageBody } from './render.js';

/**
 * @typedef {import('./render.js').VNode} VNode
 * @typedef {{ channel: string, ts: string, thread_ts?: string, text: string, blocks?: unknown[],
 *   user?: string, ephemeral: boolean, visibleTo?: string, reply_broadcast: boolean,
 *   edited: boolean, echo?: boolean }} Message
 * @typedef {{ id: string, name: string, realName: string, role: string }} User
 */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

const state = {
  /** @type {{ team: string, botUserId: string, users: User[], channels: {id: string, name: string}[], groups: {id: string, handle: string}[] }} */
  directory: { team: '', botUserId: '', users: [], channels: [], groups: [] },
  /** @type {{ verb: string, usage: string, summary: string }[]} */
  commands: [],
  me: 'U0REQUEST',
  channel: 'C0TRAINING',
  /** @type {Map<string, Message[]>} messages by channel, oldest first */
  messages: new Map(),
  /** @type {Set<string>} threads whose replies are shown */
  openThreads: new Set(),
  /** @type {Map<string, number>} */
  unread: new Map(),
  /** @type {Map<string, { id: string, view: Record<string, unknown> }>} modals waiting per user */
  views: new Map(),
  /** @type {{ id: string, status: string, suffix: string | null }[]} */
  jobs: [],
  requestsSeen: 0,
};

// ---------------------------------------------------------------------------------------
// DOM building

/** @param {VNode} node @returns {Node} */
function toDom(node) {
  if (typeof node === 'string') return document.createTextNode(node);
  const el = document.createElement(node.tag);
  for (const [name, value] of Object.entries(node.attrs)) {
    // render.js only lets checked http(s)/mailto URLs into href; this is a second lock.
    if (name === 'href' && !/^(https?:|mailto:)/i.test(value)) continue;
    if (name.startsWith('on')) continue;
    if (name === 'value' && el instanceof HTMLInputElement) el.value = value;
    else el.setAttribute(name, value);
  }
  if (el instanceof HTMLTextAreaElement)
    el.value = node.children.map((c) => (typeof c === 'string' ? c : '')).join('');
  else for (const child of node.children) el.append(toDom(child));
  return el;
}

/** @param {VNode[]} nodes */
function fragment(nodes) {
  const f = document.createDocumentFragment();
  for (const n of nodes) f.append(toDom(n));
  return f;
}

function renderContext() {
  /** @type {Record<string, string>} */
  const users = {};
  for (const u of state.directory.users) users[u.id] = u.name;
  /** @type {Record<string, string>} */
  const channels = {};
  for (const c of state.directory.channels) channels[c.id] = c.name;
  /** @type {Record<string, string>} */
  const groups = {};
  for (const g of state.directory.groups) groups[g.id] = g.handle;
  return { users, channels, groups };
}

const userName = (/** @type {string | undefined} */ id) =>
  state.directory.users.find((u) => u.id === id)?.name ?? id ?? 'someone';
const channelName = (/** @type {string} */ id) =>
  state.directory.channels.find((c) => c.id === id)?.name ?? id;

/** @param {string} ts */
function clock(ts) {
  const d = new Date(Number(ts) * 1000);
  return d.toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
}

// ---------------------------------------------------------------------------------------
// Messages

/** @param {Message} m */
const visible = (m) => !m.ephemeral || m.visibleTo === state.me;
/** @param {Message} m */
const isReply = (m) => m.thread_ts !== undefined && m.thread_ts !== m.ts;

/** @param {string} channel @param {string} ts */
function repliesOf(channel, ts) {
  return (state.messages.get(channel) ?? []).filter(
    (m) => m.thread_ts === ts && m.ts !== ts && visible(m),
  );
}

/**
 * One message as an article: author, time, the "only visible to you" mark, the body, and for
 * a thread parent its replies behind a toggle.
 * @param {Message} m @param {{ inThread?: boolean }} [opts]
 */
function messageView(m, opts = {}) {
  const author = m.echo
    ? userName(m.user)
    : m.user === state.directory.botUserId
      ? 'ftops'
      : userName(m.user);
  const ctx = renderContext();
  const body = m.echo
    ? [h('div', { class: 'block block-text echo' }, 'used ', h('code', {}, m.text))]
    : renderMessageBody(m, ctx);
  const article = h(
    'article',
    {
      class: `message${m.ephemeral || m.echo ? ' ephemeral' : ''}${opts.inThread ? ' reply' : ''}`,
      'data-ts': m.ts,
      'data-channel': m.channel,
      'aria-label': `${author}${m.ephemeral || m.echo ? ', only visible to you' : ''}, ${clock(m.ts)}`,
    },
    h('div', { class: 'avatar', 'aria-hidden': 'true' }, author.slice(0, 1).toUpperCase()),
    h(
      'div',
      { class: 'message-main' },
      h(
        'div',
        { class: 'message-meta' },
        h('span', { class: 'author' }, author),
        m.user === state.directory.botUserId && !m.echo
          ? h('span', { class: 'app-badge' }, 'APP')
          : null,
        h('time', { datetime: new Date(Number(m.ts) * 1000).toISOString() }, clock(m.ts)),
        m.edited ? h('span', { class: 'edited' }, '(edited)') : null,
      ),
      m.ephemeral || m.echo ? h('div', { class: 'only-you' }, 'Only visible to you') : null,
      isReply(m) && m.reply_broadcast && !opts.inThread
        ? h('div', { class: 'broadcast-note' }, 'replied to a thread')
        : null,
      h('div', { class: 'message-body' }, body),
    ),
  );
  const el = /** @type {HTMLElement} */ (toDom(article));
  if (!opts.inThread && !isReply(m)) {
    const replies = repliesOf(m.channel, m.ts);
    if (replies.length > 0) {
      const open = state.openThreads.has(`${m.channel}/${m.ts}`);
      const threadId = `thread-${m.channel}-${m.ts.replace('.', '-')}`;
      const toggle = document.createElement('button');
      toggle.type = 'button';
      toggle.className = 'thread-toggle';
      toggle.dataset.thread = `${m.channel}/${m.ts}`;
      toggle.setAttribute('aria-expanded', String(open));
      toggle.setAttribute('aria-controls', threadId);
      toggle.textContent = `${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}`;
      const thread = document.createElement('div');
      thread.className = 'thread';
      thread.id = threadId;
      thread.hidden = !open;
      for (const r of replies) thread.append(messageView(r, { inThread: true }));
      el.querySelector('.message-main')?.append(toggle, thread);
    }
  }
  return el;
}

/** Messages shown in the channel itself: top-level ones and replies sent to the channel too. */
function channelMessages() {
  return (state.messages.get(state.channel) ?? []).filter(
    (m) => visible(m) && (!isReply(m) || m.reply_broadcast),
  );
}

function renderChannel() {
  const list = $('messages');
  list.setAttribute('aria-busy', 'true');
  list.replaceChildren(...channelMessages().map((m) => messageView(m)));
  list.setAttribute('aria-busy', 'false');
  list.scrollTop = list.scrollHeight;
  const channel = channelName(state.channel);
  $('channel-title').textContent = `#${channel}`;
  $('channel-topic').textContent =
    state.channel === 'C0APPROVALS'
      ? 'Where ftops asks approvers'
      : 'Watches every fine-tuning job';
  $('composer-label').textContent = `Message #${channel}`;
  /** @type {HTMLInputElement} */ ($('composer-input')).placeholder =
    `/ft status ftjob-… in #${channel}`;
}

/** Applies one change from the live feed, touching only the messages it concerns. @param {'message' | 'update' | 'delete'} kind @param {Message} m */
function applyChange(kind, m) {
  const list = state.messages.get(m.channel) ?? [];
  state.messages.set(m.channel, list);
  const at = list.findIndex((x) => x.ts === m.ts && Boolean(x.echo) === Boolean(m.echo));
  if (kind === 'delete') {
    if (at >= 0) list.splice(at, 1);
  } else if (at >= 0) list[at] = m;
  else list.push(m);
  if (m.channel !== state.channel) {
    if (kind === 'message' && visible(m) && !isReply(m)) {
      state.unread.set(m.channel, (state.unread.get(m.channel) ?? 0) + 1);
      renderChannels();
    }
    return;
  }
  const box = $('messages');
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const rootTs = isReply(m) ? /** @type {string} */ (m.thread_ts) : m.ts;
  const existing = box.querySelector(`article[data-ts="${CSS.escape(rootTs)}"]:not(.reply)`);
  if (kind === 'delete' && !isReply(m)) existing?.remove();
  else if (existing) {
    const root = list.find((x) => x.ts === rootTs);
    if (root) existing.replaceWith(messageView(root));
  } else if (!isReply(m) && visible(m)) box.append(messageView(m));
  if (isReply(m) && m.reply_broadcast && kind === 'message' && visible(m))
    box.append(messageView(m));
  if (atBottom) box.scrollTop = box.scrollHeight;
}

// ---------------------------------------------------------------------------------------
// Sidebar

function renderChannels() {
  $('channels').replaceChildren(
    ...state.directory.channels.map((c) => {
      const unread = state.unread.get(c.id) ?? 0;
      return toDom(
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              class: `channel-button${unread ? ' unread' : ''}`,
              'data-channel': c.id,
              'aria-current': c.id === state.channel ? 'page' : undefined,
            },
            `# ${c.name}`,
            unread
              ? h('span', { class: 'badge', 'aria-label': `${unread} new` }, String(unread))
              : null,
          ),
        ),
      );
    }),
  );
}

function renderPeople() {
  $('people').replaceChildren(
    ...state.directory.users
      .filter((u) => u.role !== 'bot')
      .map((u) =>
        toDom(
          h(
            'label',
            { class: 'person', 'data-user': u.id },
            h('input', {
              type: 'radio',
              name: 'me',
              value: u.id,
              ...(u.id === state.me ? { checked: '' } : {}),
            }),
            h('span', { class: 'person-name' }, u.name),
            h('span', { class: `role role-${u.role}` }, u.role),
          ),
        ),
      ),
  );
}

/** @param {string} channel */
function switchChannel(channel) {
  state.channel = channel;
  state.unread.delete(channel);
  renderChannels();
  renderChannel();
}

/** @param {string} user */
function switchUser(user) {
  state.me = user;
  renderChannel();
  say(`Now acting as ${userName(user)}.`);
  showPendingView();
}

// ---------------------------------------------------------------------------------------
// Talking to the sandbox server

/** @param {string} path @param {unknown} body */
async function post(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  /** @type {{ ok?: boolean, error?: string, errors?: Record<string, string> }} */
  const answer = await res.json().catch(() => ({ ok: false, error: `HTTP ${res.status}` }));
  if (!res.ok || !answer.ok) throw new Error(answer.error ?? `HTTP ${res.status}`);
  return answer;
}

/** @param {string} text @param {boolean} [isError] */
function say(text, isError = false) {
  const status = $('status');
  status.textContent = text;
  status.classList.toggle('error', isError);
}

async function sendCommand(/** @type {string} */ text) {
  const echo = {
    channel: state.channel,
    ts: (Date.now() / 1000).toFixed(6),
    text,
    user: state.me,
    ephemeral: true,
    visibleTo: state.me,
    reply_broadcast: false,
    edited: false,
    echo: true,
  };
  // Shown before sending, so the bot's answer lands below it.
  applyChange('message', echo);
  try {
    await post('/sandbox/api/command', { user: state.me, channel: state.channel, text });
    say('');
  } catch (err) {
    applyChange('delete', echo);
    say(err instanceof Error ? err.message : String(err), true);
  }
}

// ---------------------------------------------------------------------------------------
// Buttons, confirm dialogs and modals

/** @param {Record<string, unknown>} confirm @returns {Promise<boolean>} */
function askConfirm(confirm) {
  const dialog = /** @type {HTMLDialogElement} */ ($('confirm'));
  const text = (/** @type {unknown} */ t) =>
    t && typeof t === 'object' && typeof (/** @type {{text?: unknown}} */ (t).text) === 'string'
      ? /** @type {string} */ (/** @type {{text: string}} */ (t).text)
      : '';
  $('confirm-title').textContent = text(confirm.title) || 'Are you sure?';
  const body = /** @type {{ type?: string, text?: string }} */ (confirm.text ?? {});
  $('confirm-text').replaceChildren(
    fragment(body.type === 'mrkdwn' ? mrkdwn(body.text ?? '', renderContext()) : [body.text ?? '']),
  );
  $('confirm-ok').textContent = text(confirm.confirm) || 'Yes';
  $('confirm-ok').className = `btn ${confirm.style === 'danger' ? 'btn-danger' : 'btn-primary'}`;
  $('confirm-deny').textContent = text(confirm.deny) || 'Cancel';
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), {
      once: true,
    });
  });
}

/** @param {HTMLButtonElement} button */
async function click(button) {
  const article = button.closest('article[data-ts]');
  if (!(article instanceof HTMLElement)) return;
  const confirm = button.dataset.confirm ? JSON.parse(button.dataset.confirm) : undefined;
  if (confirm && !(await askConfirm(confirm))) return;
  button.disabled = true;
  try {
    await post('/sandbox/api/click', {
      user: state.me,
      channel: article.dataset.channel,
      ts: article.dataset.ts,
      actionId: button.dataset.actionId,
      blockId: button.dataset.blockId,
      value: button.dataset.value,
      text: button.textContent ?? '',
    });
    say('');
  } catch (err) {
    say(err instanceof Error ? err.message : String(err), true);
  } finally {
    button.disabled = false;
  }
}

function showPendingView() {
  const dialog = /** @type {HTMLDialogElement} */ ($('modal'));
  const pending = state.views.get(state.me);
  if (!pending) {
    if (dialog.open) dialog.close();
    return;
  }
  const view = pending.view;
  const text = (/** @type {unknown} */ t) =>
    t && typeof t === 'object' ? String(/** @type {{text?: unknown}} */ (t).text ?? '') : '';
  dialog.dataset.viewId = pending.id;
  $('modal-title').textContent = text(view.title) || 'ftops';
  $('modal-body').replaceChildren(
    fragment(
      renderMessageBody(
        { blocks: view.blocks ?? [] },
        { ...renderContext(), idPrefix: pending.id },
      ),
    ),
  );
  $('modal-error').textContent = '';
  $('modal-close').textContent = text(view.close) || 'Cancel';
  $('modal-submit').textContent = text(view.submit) || 'Submit';
  $('modal-submit').hidden = !view.submit;
  if (!dialog.open) dialog.showModal();
  dialog.querySelector('textarea, input')?.focus();
}

async function submitView() {
  const dialog = /** @type {HTMLDialogElement} */ ($('modal'));
  const viewId = dialog.dataset.viewId ?? '';
  /** @type {Record<string, Record<string, { type: string, value: string | null }>>} */
  const values = {};
  let firstInvalid = null;
  for (const el of dialog.querySelectorAll('[data-action-id].field')) {
    const field = /** @type {HTMLInputElement | HTMLTextAreaElement} */ (el);
    const block = field.dataset.blockId ?? '';
    const action = field.dataset.actionId ?? '';
    const error = document.getElementById(`${field.id}-error`);
    const problem = field.required && field.value.trim() === '' ? 'Please fill this in.' : '';
    if (error) error.textContent = problem;
    field.setAttribute('aria-invalid', String(Boolean(problem)));
    if (problem && !firstInvalid) firstInvalid = field;
    values[block] = {
      ...values[block],
      [action]: { type: 'plain_text_input', value: field.value === '' ? null : field.value },
    };
  }
  if (firstInvalid) return firstInvalid.focus();
  const submit = /** @type {HTMLButtonElement} */ ($('modal-submit'));
  submit.disabled = true;
  try {
    const answer = await post('/sandbox/api/submit', { user: state.me, viewId, values });
    if (answer.errors) {
      for (const [block, message] of Object.entries(answer.errors)) {
        const field = dialog.querySelector(`.field[data-block-id="${CSS.escape(block)}"]`);
        const error = field && document.getElementById(`${field.id}-error`);
        if (error) error.textContent = message;
        field?.setAttribute('aria-invalid', 'true');
      }
      return;
    }
    state.views.delete(state.me);
    dialog.close();
  } catch (err) {
    $('modal-error').textContent = err instanceof Error ? err.message : String(err);
  } finally {
    submit.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------
// The composer's suggestions

const JOB_VERBS = new Set([
  'status',
  'events',
  'checkpoints',
  'pause',
  'resume',
  'cancel',
  'watch',
  'unwatch',
  'audit',
]);

function updateSuggestions() {
  const input = /** @type {HTMLInputElement} */ ($('composer-input'));
  const text = input.value;
  const verbMatch = /^\/ft\s+([a-z]+)(\s+(\S*))?$/.exec(text);
  const verb = verbMatch?.[1];
  const known = state.commands.find((c) => c.verb === verb);
  /** @type {{ value: string, label: string }[]} */
  let options;
  if (known && verbMatch?.[2] !== undefined && JOB_VERBS.has(known.verb)) {
    options = state.jobs.map((j) => ({
      value: `/ft ${known.verb} ${j.id}`,
      label: `${j.suffix ?? ''} · ${j.status}`,
    }));
    if (known.verb === 'watch' || known.verb === 'unwatch')
      options.unshift({ value: `/ft ${known.verb} all`, label: 'every job' });
  } else {
    options = state.commands.map((c) => ({
      value: `/ft ${c.verb}`,
      label: `${c.usage} — ${c.summary}`,
    }));
  }
  $('ft-suggestions').replaceChildren(
    ...options.map((o) => toDom(h('option', { value: o.value, label: o.label }))),
  );
  const hint = known
    ? `/ft ${known.usage} — ${known.summary}`
    : text.startsWith('/')
      ? 'Commands: /ft help, list, status, pause, resume, watch…'
      : '';
  $('composer-hint').textContent = hint;
}

// ---------------------------------------------------------------------------------------
// The side panel: jobs and the fine-tuning API log

async function refreshPanel() {
  try {
    const res = await fetch(`/sandbox/api/fine-tuning?since=${state.requestsSeen}`);
    /** @type {{ total: number, requests: { n: number, method: string, path: string, query: string, status: number, at: number }[], jobs: typeof state.jobs }} */
    const data = await res.json();
    state.requestsSeen = data.total;
    const body = $('requests');
    for (const r of data.requests) {
      const row = toDom(
        h(
          'tr',
          { class: r.status >= 400 || r.status === 0 ? 'bad' : '' },
          h('td', {}, new Date(r.at).toLocaleTimeString([], { hour12: false })),
          h('td', {}, r.method),
          h('td', { class: 'path' }, r.path + (r.query ? `?${r.query}` : '')),
          h('td', {}, r.status === 0 ? 'no answer' : String(r.status)),
        ),
      );
      body.prepend(row);
    }
    while (body.children.length > 60) body.lastElementChild?.remove();
    const changed = JSON.stringify(data.jobs) !== JSON.stringify(state.jobs);
    state.jobs = data.jobs;
    if (changed) renderJobs();
  } catch {
    // The server went away (Ctrl-C); the live feed reports that.
  }
}

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

function renderJobs() {
  $('jobs').replaceChildren(
    ...state.jobs.map((j) => {
      const name = j.suffix ?? j.id;
      return toDom(
        h(
          'li',
          { class: 'job', 'data-job': j.id },
          h('span', { class: 'job-name' }, name),
          h('span', { class: `job-status status-${j.status}` }, j.status.replace('_', ' ')),
          h(
            'span',
            { class: 'job-controls', role: 'group', 'aria-label': `Change ${name} by hand` },
            ...[
              ['failed', 'Fail'],
              ['succeeded', 'Finish'],
              ['paused', 'Pause'],
            ].map(([status, label]) =>
              h(
                'button',
                {
                  type: 'button',
                  class: 'btn btn-small',
                  'data-job-id': j.id,
                  'data-status': status,
                  'aria-label': `${label} ${name}`,
                  ...(FINISHED.has(j.status) || j.status === status ? { disabled: '' } : {}),
                },
                label,
              ),
            ),
          ),
          h('code', { class: 'job-id' }, j.id),
        ),
      );
    }),
  );
}

// ---------------------------------------------------------------------------------------
// Start

async function loadState() {
  const res = await fetch('/sandbox/api/state');
  const data = await res.json();
  state.directory = data.directory;
  state.commands = data.commands;
  state.messages = new Map();
  for (const m of data.messages) {
    const list = state.messages.get(m.channel) ?? [];
    list.push(m);
    state.messages.set(m.channel, list);
  }
  renderChannels();
  renderPeople();
  renderChannel();
  updateSuggestions();
}

/**
 * Opens the live feed and resolves once it is open. Changes that arrive while the state is
 * loading wait in a queue: the state is fetched after the feed opened, so nothing is missed,
 * and replaying a change already in the state only replaces the message with itself.
 * @returns {Promise<void>}
 */
function connectLive() {
  const source = new EventSource('/sandbox/api/events');
  /** @type {(() => void)[] | null} */
  let queue = [];
  const whenReady = (/** @type {() => void} */ f) => (queue ? queue.push(f) : f());
  const loaded = async () => {
    await loadState();
    const waiting = queue ?? [];
    queue = null;
    for (const f of waiting) f();
  };
  for (const kind of /** @type {const} */ (['message', 'update', 'delete'])) {
    source.addEventListener(kind, (e) => {
      const m = JSON.parse(/** @type {MessageEvent} */ (e).data);
      whenReady(() => applyChange(kind, m));
    });
  }
  source.addEventListener('view', (e) => {
    const { id, user, view } = JSON.parse(/** @type {MessageEvent} */ (e).data);
    whenReady(() => {
      state.views.set(user, { id, view });
      if (user === state.me) showPendingView();
      else say(`${userName(user)} has a dialog open; switch to them to see it.`);
    });
  });
  let lost = false;
  source.addEventListener('error', () => {
    lost = true;
    say('Lost the connection to the sandbox; retrying…', true);
  });
  return new Promise((resolve, reject) => {
    let first = true;
    source.addEventListener('open', () => {
      if (first) {
        first = false;
        loaded().then(resolve, reject);
        return;
      }
      if (!lost) return;
      lost = false;
      say('Reconnected.');
      queue = [];
      loaded().catch(() => {});
    });
  });
}

function wire() {
  $('channels').addEventListener('click', (e) => {
    const button = /** @type {HTMLElement} */ (e.target).closest('button[data-channel]');
    if (button instanceof HTMLElement && button.dataset.channel)
      switchChannel(button.dataset.channel);
  });
  $('people').addEventListener('change', (e) => {
    const input = /** @type {HTMLInputElement} */ (e.target);
    if (input.name === 'me') switchUser(input.value);
  });
  $('messages').addEventListener('click', (e) => {
    const target = /** @type {HTMLElement} */ (e.target);
    const toggle = target.closest('button.thread-toggle');
    if (toggle instanceof HTMLButtonElement) {
      const key = toggle.dataset.thread ?? '';
      const open = !state.openThreads.has(key);
      if (open) state.openThreads.add(key);
      else state.openThreads.delete(key);
      toggle.setAttribute('aria-expanded', String(open));
      const thread = document.getElementById(toggle.getAttribute('aria-controls') ?? '');
      if (thread) thread.hidden = !open;
      return;
    }
    const button = target.closest('button[data-action-id]');
    if (button instanceof HTMLButtonElement) click(button);
  });
  const input = /** @type {HTMLInputElement} */ ($('composer-input'));
  input.addEventListener('input', updateSuggestions);
  $('composer').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    updateSuggestions();
    sendCommand(text);
  });
  $('modal-form').addEventListener('submit', (e) => {
    e.preventDefault();
    submitView();
  });
  $('modal-close').addEventListener('click', () => {
    state.views.delete(state.me);
    /** @type {HTMLDialogElement} */ ($('modal')).close();
  });
  $('modal').addEventListener('cancel', () => state.views.delete(state.me));
  $('jobs').addEventListener('click', async (e) => {
    const button = /** @type {HTMLElement} */ (e.target).closest('button[data-job-id]');
    if (!(button instanceof HTMLButtonElement)) return;
    button.disabled = true;
    try {
      await post('/sandbox/api/job-status', {
        id: button.dataset.jobId,
        status: button.dataset.status,
      });
      say(
        `Set ${button.dataset.jobId} to ${button.dataset.status}; the bot notices on its next sweep.`,
      );
      await refreshPanel();
    } catch (err) {
      say(err instanceof Error ? err.message : String(err), true);
      button.disabled = false;
    }
  });
}

wire();
connectLive()
  .then(() => {
    refreshPanel();
    setInterval(refreshPanel, 1000);
    /** @type {HTMLInputElement} */ ($('composer-input')).focus();
  })
  .catch((err) =>
    say(`Could not load the sandbox: ${err instanceof Error ? err.message : err}`, true),
  );
