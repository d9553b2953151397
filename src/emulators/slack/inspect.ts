/**
 * Reading messages the way a person in Slack would, for tests, the sandbox checks and the
 * chaos battery: the text a message shows, and the buttons it offers.
 */

/** A button as posted: what a click on it sends back. */
export interface PostedButton {
  actionId: string;
  value: string;
  blockId: string;
}

/** The readable text of a message body: fallback and every `text` in its blocks, joined. */
export function visibleText(body: { text?: unknown; blocks?: unknown }): string {
  const out: string[] = [];
  if (typeof body.text === 'string') out.push(body.text);
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'text' && typeof x === 'string') out.push(x);
        else walk(x);
      }
    }
  };
  walk(body.blocks);
  return out.join('\n');
}

/** Every button in a message's blocks: action_id, value and block_id as posted. */
export function buttonsOf(blocks: unknown): PostedButton[] {
  const out: PostedButton[] = [];
  if (!Array.isArray(blocks)) return out;
  for (const b of blocks as Array<{
    block_id?: string;
    elements?: unknown[];
    accessory?: unknown;
  }>) {
    const els = [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])] as Array<{
      type?: string;
      action_id?: string;
      value?: string;
    }>;
    for (const e of els) {
      if (e.type === 'button' && e.action_id)
        out.push({ actionId: e.action_id, value: e.value ?? '', blockId: b.block_id ?? '' });
    }
  }
  return out;
}
