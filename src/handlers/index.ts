import type { App } from '@slack/bolt';
import { registerActions } from './actions/index.ts';
import { registerCommands } from './commands/index.ts';
import type { HandlerDeps } from './deps.ts';
import { registerDenyModal } from './modals/deny-modal.ts';
import { registerReasonModal } from './modals/reason-modal.ts';

export type { HandlerDeps } from './deps.ts';

/** Registers every Slack listener of ftops: commands, buttons and modals. */
export function registerListeners(app: App, deps: HandlerDeps): void {
  registerCommands(app, deps);
  registerActions(app, deps);
  registerReasonModal(app, deps);
  registerDenyModal(app, deps);
}
