// The side panel: the approval rules, the resources and channel rules of FT_CONFIG, the
// emulated jobs of every resource (with buttons to change them by hand) and the log of
// fine-tuning API requests the bot made.

import { $, toDom } from './dom.js';
import { h } from './render.js';
import { state } from './state.js';

/** The approval rules in force, as the server words them. */
export function renderRules(/** @type {string[]} */ rules) {
  $('rules').replaceChildren(...rules.map((r) => toDom(h('li', {}, r))));
}

/**
 * The resources (name, kind, endpoint) and each channel's rule, as the server words them.
 * @param {{ resources: { name: string, kind: string, endpoint: string }[],
 *   channels: { channel: string, label: string, source: string, lines: string[] }[] }} access
 */
export function renderAccess(access) {
  $('resources').replaceChildren(
    ...access.resources.map((r) =>
      toDom(
        h(
          'li',
          { class: 'resource', 'data-resource': r.name },
          h('code', { class: 'resource-name' }, r.name),
          h('span', { class: 'resource-kind' }, r.kind === 'azure' ? 'Azure' : 'OpenAI'),
          h('span', { class: 'resource-endpoint' }, r.endpoint),
        ),
      ),
    ),
  );
  $('access').replaceChildren(
    ...access.channels.map((c) =>
      toDom(
        h(
          'li',
          { class: 'channel-rule', 'data-channel': c.channel },
          h('span', { class: 'channel-rule-name' }, c.label),
          h('ul', {}, ...c.lines.map((line) => h('li', {}, line))),
          h('span', { class: 'channel-rule-source' }, c.source),
        ),
      ),
    ),
  );
}

export async function refreshPanel() {
  try {
    const res = await fetch(
      `/sandbox/api/fine-tuning?since=${encodeURIComponent(state.requestsSeen)}`,
    );
    /** @type {{ cursor: string, requests: { resource: string, n: number, method: string, path: string, query: string, status: number, at: number }[], jobs: typeof state.jobs }} */
    const data = await res.json();
    state.requestsSeen = data.cursor;
    const body = $('requests');
    for (const r of data.requests) {
      const row = toDom(
        h(
          'tr',
          { class: r.status >= 400 || r.status === 0 ? 'bad' : '' },
          h('td', {}, new Date(r.at).toLocaleTimeString([], { hour12: false })),
          h('td', {}, r.resource),
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

/** Whether a by-hand change to `target` makes sense for a job in `status`: not to where it is or is going. */
const offered = (/** @type {string} */ status, /** @type {string} */ target) =>
  !FINISHED.has(status) && status !== target && !(target === 'paused' && status === 'pausing');

function renderJobs() {
  $('jobs').replaceChildren(
    ...state.jobs.map((j) => {
      const name = j.suffix ?? j.id;
      return toDom(
        h(
          'li',
          { class: 'job', 'data-job': j.key },
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
                  'data-resource': j.resource,
                  'data-status': status,
                  'aria-label': `${label} ${name}`,
                  ...(offered(j.status, status) ? {} : { disabled: '' }),
                },
                label,
              ),
            ),
          ),
          h('code', { class: 'job-id' }, j.key),
        ),
      );
    }),
  );
}
