// The composer's suggestions and hint, from the verbs the bot itself lists (/sandbox/api/state).

import { $, toDom } from './dom.js';
import { h } from './render.js';
import { state } from './state.js';

/**
 * A verb whose usage names a job (`<job>`, `[job]`) is offered the jobs in the panel, each by
 * its key (`azure-eastus:ftjob-…`), so a suggestion never needs a "which resource?".
 */
const takesJob = (/** @type {{ usage: string }} */ c) => /[<[]job\b/.test(c.usage);
/** …and one whose usage offers `all` is offered that too. */
const takesAll = (/** @type {{ usage: string }} */ c) => /\|all\b/.test(c.usage);

export function updateSuggestions() {
  const input = /** @type {HTMLInputElement} */ ($('composer-input'));
  const text = input.value;
  const verbMatch = /^\/ft\s+([a-z]+)(\s+(\S*))?$/.exec(text);
  const verb = verbMatch?.[1];
  const known = state.commands.find((c) => c.verb === verb);
  /** @type {{ value: string, label: string }[]} */
  let options;
  if (known && verbMatch?.[2] !== undefined && takesJob(known)) {
    options = state.jobs.map((j) => ({
      value: `/ft ${known.verb} ${j.key}`,
      label: `${j.suffix ?? ''} · ${j.status} · ${j.resource}`,
    }));
    if (takesAll(known)) options.unshift({ value: `/ft ${known.verb} all`, label: 'every job' });
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
      ? `Commands: /ft ${state.commands.map((c) => c.verb).join(', ')}`
      : '';
  $('composer-hint').textContent = hint;
}
