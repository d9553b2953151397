// Types of render.js for the TypeScript tests; the page itself loads the plain JavaScript.

/** An element of the virtual tree. */
export interface VElement {
  tag: string;
  attrs: Record<string, string>;
  children: VNode[];
}
/** An element or a text node. */
export type VNode = VElement | string;

/** Names for mentions, and the reader's time zone, locale and clock. */
export interface RenderContext {
  users?: Record<string, string>;
  channels?: Record<string, string>;
  groups?: Record<string, string>;
  timeZone?: string;
  locale?: string;
  now?: number;
  idPrefix?: string;
}

/** An element of the virtual tree; `null`, `undefined` and `false` children are dropped. */
export function h(
  tag: string,
  attrs?: Record<string, string | undefined>,
  ...children: Array<VNode | VNode[] | null | undefined | false>
): VElement;
/** All text of a tree. */
export function textOf(node: VNode | VNode[]): string;
/** Undoes Slack's three escapes. */
export function decodeEntities(s: string): string;
/** Whether a link target may become an href. */
export function isSafeUrl(url: string): boolean;
/** Renders Slack mrkdwn. */
export function mrkdwn(text: string, ctx?: RenderContext): VNode[];
/** A Slack date format in the reader's time zone. */
export function formatSlackDate(ts: number, format: string, ctx?: RenderContext): string;
/** A text object: mrkdwn parsed, plain_text as is. */
export function textObject(t: unknown, ctx: RenderContext): VNode[];
/** Renders a list of blocks; unknown kinds become labelled placeholders. */
export function renderBlocks(blocks: unknown, ctx?: RenderContext): VNode[];
/** A message's blocks, or its text as mrkdwn when it has none. */
export function renderMessageBody(
  message: { text?: unknown; blocks?: unknown },
  ctx?: RenderContext,
): VNode[];
