// Talking to the sandbox server, which signs what you do as Slack would and hands it to the bot.

import { say } from './dom.js';
import { applyChange } from './messages.js';
import { state } from './state.js';

/** @param {string} path @param {unknown} body */
export async function post(path, body) {
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

export async function sendCommand(/** @type {string} */ text) {
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
