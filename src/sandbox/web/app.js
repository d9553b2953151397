// The sandbox page: a small Slack look-alike that shows what the bot really posted (from the
// Slack emulator) and sends what you do back to the bot, signed by the sandbox server as
// Slack would. This file loads the state, follows the live feed and wires the page's events;
// each part of the page has a module of its own.

import { click, showPendingView, submitView } from './dialogs.js';
import { $, say } from './dom.js';
import { applyChange, renderChannel } from './messages.js';
import { refreshPanel, renderAccess, renderRules } from './panel.js';
import { post, sendCommand } from './server.js';
import { renderChannels, renderPeople, switchChannel, switchUser } from './sidebar.js';
import { state, userName } from './state.js';
import { updateSuggestions } from './suggestions.js';

async function loadState() {
  const res = await fetch('/sandbox/api/state');
  const data = await res.json();
  state.directory = data.directory;
  state.commands = data.commands;
  renderRules(data.rules ?? []);
  renderAccess(data.access ?? { resources: [], channels: [] });
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
        resource: button.dataset.resource,
        id: button.dataset.jobId,
        status: button.dataset.status,
      });
      say(
        `Set ${button.dataset.resource}:${button.dataset.jobId} to ${button.dataset.status}; the bot notices on its next sweep.`,
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
