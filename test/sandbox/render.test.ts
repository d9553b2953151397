import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  mrkdwn,
  renderBlocks,
  renderMessageBody,
  textOf,
  type VElement,
  type VNode,
} from '../../src/sandbox/web/render.js';
import { escapeMrkdwn, stripControl } from '../../src/views/mrkdwn.ts';
import { renderAll } from '../views/all-views.ts';
import { EVIL, NOW } from '../views/fixtures.ts';

const ctx = {
  users: { U0REQUEST: 'riley', U0APPROVE: 'avery' },
  channels: { C0APPROVALS: 'approvals' },
  groups: { S0APPROVERS: 'approvers' },
  timeZone: 'UTC',
  now: Date.UTC(2024, 6, 24, 12, 0, 0),
};

/** Every element of a tree, depth first. */
function elements(nodes: VNode[]): VElement[] {
  return nodes.flatMap((n) => (typeof n === 'string' ? [] : [n, ...elements(n.children)]));
}
const tags = (nodes: VNode[]) => elements(nodes).map((e) => e.tag);

describe('the sandbox page renders mrkdwn', () => {
  it('shows formatting, quotes and line breaks as Slack does', () => {
    const out = mrkdwn('*Reason:* _soon_ ~old~ `ftjob-1`\n>need the GPUs\nafter', ctx);
    expect(tags(out)).toEqual(['strong', 'em', 'del', 'code', 'blockquote']);
    expect(textOf(out)).toBe('Reason: soon old ftjob-1need the GPUsafter');
    expect(mrkdwn('snake_case_name 2*3*4', ctx)).toEqual(['snake_case_name 2*3*4']);
    expect(tags(mrkdwn('a\nb', ctx))).toEqual(['br']);
    expect(tags(mrkdwn('```\n*not bold*\n```', ctx))).toEqual(['pre']);
  });

  it('names people, channels and groups instead of showing their IDs', () => {
    const out = mrkdwn('<@U0REQUEST> asks <!subteam^S0APPROVERS> in <#C0APPROVALS> <@U0NEW>', ctx);
    expect(textOf(out)).toBe('@riley asks @approvers in #approvals @U0NEW');
  });

  it('shows date tokens in the reader’s time zone, with the fallback as a tooltip', () => {
    const [time] = elements(
      mrkdwn('<!date^1721822400^{date_short_pretty} at {time}|fallback>', ctx),
    );
    expect(time).toEqual({
      tag: 'time',
      attrs: { datetime: '2024-07-24T12:00:00.000Z', title: 'fallback' },
      children: ['Today at 12:00 PM'],
    });
    const other = mrkdwn('<!date^0^{date_num} {date_short_pretty}|x>', ctx);
    expect(textOf(other)).toBe('1970-01-01 Jan 1, 1970');
  });

  it('links only http(s) and mailto targets', () => {
    const out = mrkdwn('<https://x.test/?a=1&amp;b=2|docs> <javascript:alert(1)|click>', ctx);
    const links = elements(out).filter((e) => e.tag === 'a');
    expect(links.map((l) => l.attrs.href)).toEqual(['https://x.test/?a=1&b=2']);
    expect(textOf(out)).toBe('docs click');
  });

  it('keeps outside text the bot escaped as text: never a link, mention, date or markup', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.constantFrom(EVIL, '<!channel> <@U1> <https://e|x>')),
        (s) => {
          const out = mrkdwn(escapeMrkdwn(s), ctx);
          const made = elements(out);
          expect(made.filter((e) => ['a', 'span', 'time'].includes(e.tag))).toEqual([]);
          expect(made.every((e) => Object.keys(e.attrs).every((k) => k === 'class'))).toBe(true);
        },
      ),
    );
  });

  it('shows escaped outside text exactly as it was typed', () => {
    const plain = fc.string().filter((s) => !/[*_~`\n\r\u2028\u2029]/.test(s) && !/^\s*>/.test(s));
    fc.assert(
      fc.property(plain, (s) => {
        expect(textOf(mrkdwn(escapeMrkdwn(s), ctx))).toBe(stripControl(s));
      }),
    );
  });
});

describe('the sandbox page renders Block Kit', () => {
  it('turns buttons into elements that carry what a click sends back', () => {
    const [actions] = renderBlocks(
      [
        {
          type: 'actions',
          block_id: 'b1',
          elements: [
            {
              type: 'button',
              action_id: 'ftops.job.cancel',
              value: 'ftjob-1',
              style: 'danger',
              text: { type: 'plain_text', text: 'Cancel job' },
              confirm: { title: { type: 'plain_text', text: 'Sure?' } },
            },
          ],
        },
      ],
      ctx,
    ) as [VElement];
    const button = actions.children[0] as VElement;
    expect(button.tag).toBe('button');
    expect(button.attrs).toMatchObject({
      class: 'btn btn-danger',
      'data-action-id': 'ftops.job.cancel',
      'data-block-id': 'b1',
      'data-value': 'ftjob-1',
    });
    expect(JSON.parse(button.attrs['data-confirm'] ?? '')).toEqual({
      title: { type: 'plain_text', text: 'Sure?' },
    });
    expect(textOf(button)).toBe('Cancel job');
  });

  it('labels modal inputs and marks required ones', () => {
    const [input] = renderBlocks(
      [
        {
          type: 'input',
          block_id: 'reason',
          label: { type: 'plain_text', text: 'Reason' },
          element: { type: 'plain_text_input', action_id: 'r', multiline: true },
        },
      ],
      { idPrefix: 'V1' },
    ) as [VElement];
    const [label, field] = elements([input]).filter((e) => ['label', 'textarea'].includes(e.tag));
    expect(label?.attrs.for).toBe('V1-reason-r');
    expect(field?.attrs).toMatchObject({
      id: 'V1-reason-r',
      required: '',
      'data-block-id': 'reason',
    });
  });

  it('shows a labelled placeholder for blocks it does not know, never nothing', () => {
    const out = renderBlocks([{ type: 'rich_text', elements: [] }, null], ctx);
    expect(out.map(textOf)).toEqual([
      'Unsupported in the sandbox: a "rich_text" block',
      'Unsupported in the sandbox: a "unknown" block',
    ]);
  });

  it('falls back to the text when a message has no blocks', () => {
    expect(textOf(renderMessageBody({ text: 'hi *there*', blocks: [] }, ctx))).toBe('hi there');
  });

  it('renders every view the bot builds without a placeholder', () => {
    const views = renderAll({ s: (i) => `text ${i}`, status: 'running', count: 3, now: NOW });
    for (const [name, view] of Object.entries(views)) {
      const text = textOf(renderMessageBody({ text: view.text, blocks: [...view.blocks] }, ctx));
      expect(text, name).not.toContain('Unsupported');
    }
  });
});
