// The channel: each message as Slack shows it (author, time, "only visible to you", threads),
// and the live feed's changes applied to only the messages they concern.

import { $, toDom } from './dom.js';
import { h, renderMessageBody } from './render.js';
import { renderChannels } from './sidebar.js';
import { channelName, renderContext, state, userName } from './state.js';

/** @typedef {import('./state.js').Message} Message */

/** @param {string} ts */
function clock(ts) {
  const d = new Date(Number(ts) * 1000);
  return d.toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
}

/** @param {Message} m */
export const visible = (m) => !m.ephemeral || m.visibleTo === state.me;
/** @param {Message} m */
export const isReply = (m) => m.thread_ts !== undefined && m.thread_ts !== m.ts;

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
export function messageView(m, opts = {}) {
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

export function renderChannel() {
  const list = $('messages');
  list.setAttribute('aria-busy', 'true');
  list.replaceChildren(...channelMessages().map((m) => messageView(m)));
  list.setAttribute('aria-busy', 'false');
  list.scrollTop = list.scrollHeight;
  const channel = channelName(state.channel);
  $('channel-title').textContent = `#${channel}`;
  $('channel-topic').textContent =
    state.directory.channels.find((c) => c.id === state.channel)?.topic ?? '';
  $('composer-label').textContent = `Message #${channel}`;
  /** @type {HTMLInputElement} */ ($('composer-input')).placeholder =
    `/ft status ftjob-… in #${channel}`;
}

/** Applies one change from the live feed, touching only the messages it concerns. @param {'message' | 'update' | 'delete'} kind @param {Message} m */
export function applyChange(kind, m) {
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
