import type { App } from '@slack/bolt';
import type { HandlerDeps } from '../deps.ts';
import { registerApprovalButtons } from './approval-buttons.ts';
import { registerAuditButtons } from './audit-buttons.ts';
import { registerJobButtons } from './job-buttons.ts';

/** Registers every button listener. */
export function registerActions(app: App, deps: HandlerDeps): void {
  registerJobButtons(app, deps);
  registerApprovalButtons(app, deps);
  registerAuditButtons(app, deps);
}
