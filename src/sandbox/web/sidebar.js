// The sidebar: channels with unread counts, and the person you act as.

import { showPendingView } from './dialogs.js';
import { $, say, toDom } from './dom.js';
import { renderChannel } from './messages.js';
import { h } from './render.js';
import { state, userName } from './state.js';

export function renderChannels() {
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

export function renderPeople() {
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
export function switchChannel(channel) {
  state.channel = channel;
  state.unread.delete(channel);
  renderChannels();
  renderChannel();
}

/** @param {string} user */
export function switchUser(user) {
  state.me = user;
  renderChannel();
  say(`Now acting as ${userName(user)}.`);
  showPendingView();
}
