// Slack mrkdwn and Block Kit, rendered to a tiny virtual tree the page turns into DOM nodes.
// Pure functions with no DOM access, so they run (and are tested) in Node as well. Strings
// from the bot only ever become text nodes or checked attribute values: nothing here produces
// HTML, so nothing the bot sends can inject markup. Its types are in render.d.ts.

export { renderBlocks, renderMessageBody, textObject } from './blocks.js';
export { mrkdwn } from './mrkdwn.js';
export { formatSlackDate } from './slack-date.js';
export { decodeEntities, h, isSafeUrl, textOf } from './vnode.js';
