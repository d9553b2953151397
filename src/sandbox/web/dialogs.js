// Buttons, their confirm dialogs, and the modals the bot opens (views.open).

import { $, fragment, say } from './dom.js';
import { mrkdwn, renderMessageBody } from './render.js';
import { post } from './server.js';
import { renderContext, state } from './state.js';

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
export async function click(button) {
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

export function showPendingView() {
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
  dialog.querySelector(/** @type {'textarea'} */ ('textarea, input'))?.focus();
}

export async function submitView() {
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
