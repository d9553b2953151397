import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts';
import { CHROMIUM_PATH } from '../support/chromium.ts';

/** A missing browser fails the test, it is never skipped (`npm test` says so before it runs). */
const CHROMIUM = CHROMIUM_PATH;
const RESULTS = fileURLToPath(new URL('../../test-results/sandbox/', import.meta.url));
const README_SHOT = fileURLToPath(new URL('../../docs/sandbox.png', import.meta.url));
const WAIT = { timeout: 10_000 };

describe('npm run sandbox, used in a real browser', () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}; this end-to-end test needs it. Install it with \`apt-get install -y chromium\` (Debian/Ubuntu).`,
      );
    }
    mkdirSync(RESULTS, { recursive: true });
    sandbox = await startSandbox({
      port: 0,
      namespace: `test-${randomUUID()}`,
      pollSeconds: 1,
      logLevel: 'silent',
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    page.setDefaultTimeout(WAIT.timeout);
    page.on('pageerror', (err) => pageErrors.push(err.message));
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  /** The visible messages of the open channel that contain `text`. */
  const messages = (text: string | RegExp): Locator =>
    page.locator('#messages > article').filter({ hasText: text });

  const send = async (command: string) => {
    await page.getByLabel(/^Message #/).fill(command);
    await page.getByLabel(/^Message #/).press('Enter');
  };

  const actAs = (name: string) => page.getByRole('radio', { name: new RegExp(`^${name}`) }).check();
  const openChannel = (name: string) => page.getByRole('button', { name: `# ${name}` }).click();

  it('asks for a pause as the requester, approves it as the approver, and refuses the outsider', async () => {
    const [supportBot, , contractReview] = sandbox.jobIds as [string, string, string];
    await page.goto(sandbox.url);

    // The sandbox starts with #ml-training watching every job, confirmed to riley only.
    await messages('now hears about').first().waitFor(WAIT);
    expect(await page.getByRole('radio', { name: /riley.*requester/ }).isChecked()).toBe(true);

    // /ft status: the job card the bot really sent, rendered from its blocks.
    await send(`/ft status ${contractReview}`);
    const card = messages(/Latest events/).filter({ hasText: contractReview });
    await card.waitFor(WAIT);
    expect(await card.getByText('Only visible to you').count()).toBe(1);
    await card.getByRole('button', { name: /Pause/ }).waitFor(WAIT);
    expect(await card.locator('.field-cell', { hasText: 'Suffix' }).textContent()).toContain(
      'contract-review',
    );

    // A pause is gated: the requester hears it waits, the request shows in #approvals.
    await send(`/ft pause ${contractReview} need the GPUs`);
    await messages('waiting for approval').filter({ hasText: contractReview }).waitFor(WAIT);

    // Buttons on a card: Cancel asks for confirmation first (declined here), Pause opens the
    // bot's reason modal, whose submission goes back to the bot as a view_submission.
    await send(`/ft status ${supportBot}`);
    const otherCard = messages(/Latest events/).filter({ hasText: supportBot });
    await otherCard.getByRole('button', { name: /Cancel job/ }).click();
    const confirm = page.getByRole('dialog', { name: 'Cancel this job?' });
    await confirm.waitFor(WAIT);
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await otherCard.getByRole('button', { name: /Pause/ }).click();
    const modal = page.getByRole('dialog', { name: 'Pause a job' });
    await modal.getByLabel(/Reason/).fill('cheaper later');
    await page.screenshot({ path: `${RESULTS}1-modal.png` });
    await modal.getByRole('button', { name: 'Ask approvers' }).click();
    await modal.waitFor({ state: 'hidden' });
    await messages('waiting for approval').filter({ hasText: supportBot }).waitFor(WAIT);
    expect(sandbox.ft.getJob(supportBot)?.status).toBe('running');
    await page.screenshot({ path: `${RESULTS}2-requester.png` });

    await openChannel('approvals');
    const request = messages(/asks to pause/).filter({ hasText: contractReview });
    await request.waitFor(WAIT);
    expect(await request.textContent()).toContain('need the GPUs');
    expect(await request.locator('.mention-group').first().textContent()).toBe('@approvers');

    // The approver approves: the request is updated in place and the job is paused.
    await actAs('avery');
    await request.getByRole('button', { name: /Approve/ }).click();
    await request.filter({ hasText: /approved by @avery/ }).waitFor(WAIT);
    await messages(/Approved\. Pause sent/).waitFor(WAIT);
    expect(await messages(/Approved\. Pause sent/).textContent()).toContain('Only visible to you');
    expect(['pausing', 'paused']).toContain(sandbox.ft.getJob(contractReview)?.status);
    // The decision is also noted in the request's thread, folded until asked for.
    const thread = request.getByRole('button', { name: /1 reply/ });
    expect(await thread.getAttribute('aria-expanded')).toBe('false');
    await thread.click();
    await request.locator('.thread > article', { hasText: 'was approved by @avery' }).waitFor(WAIT);
    expect(await thread.getAttribute('aria-expanded')).toBe('true');
    // The side panel lists the API call the approval made.
    await page.locator('#requests tr', { hasText: `${contractReview}/pause` }).waitFor(WAIT);
    await request.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: `${RESULTS}3-approver.png` });
    // The README's picture is refreshed on request only, so a test run leaves the tree clean.
    if (process.env.FTOPS_UPDATE_SCREENSHOT === '1') {
      copyFileSync(`${RESULTS}3-approver.png`, README_SHOT);
    }

    // The poller announces the change in the channel that watches every job.
    await openChannel('ml-training');
    const announcement = page
      .locator('#messages > article:not(.ephemeral)')
      .filter({ hasText: contractReview })
      .filter({ hasText: /running → paus/ });
    await announcement.waitFor({ timeout: 15_000 });
    await page.screenshot({ path: `${RESULTS}4-announcement.png` });

    // The outsider's click is refused, and only the outsider sees why.
    await actAs('sam');
    await openChannel('approvals');
    const other = messages(/asks to pause/).filter({ hasText: supportBot });
    await other.getByRole('button', { name: /Approve/ }).click();
    const refusal = messages(/Only approvers/);
    await refusal.waitFor(WAIT);
    expect(await refusal.textContent()).toContain('Only visible to you');
    expect(await other.textContent()).toContain('0 of 1 approval');
    await page.screenshot({ path: `${RESULTS}5-outsider.png` });

    // Switching back to the approver hides the outsider's ephemeral refusal.
    await actAs('avery');
    await messages(/Approved\. Pause sent/).waitFor(WAIT);
    expect(await messages(/Only approvers/).count()).toBe(0);
    expect(pageErrors).toEqual([]);
  }, 30_000);

  it('shows the approval rules in force, and a second approver denies with a reason the requester hears', async () => {
    const [supportBot] = sandbox.jobIds as [string];
    await page.goto(sandbox.url);
    await messages('now hears about').first().waitFor(WAIT);
    const rules = page.locator('#rules li');
    await rules.first().waitFor(WAIT);
    expect(await rules.allTextContents()).toEqual(sandbox.rules);
    expect(await rules.nth(1).textContent()).toContain('avery and jordan');

    // jordan, the second approver, denies the request for support-bot, giving a reason.
    await actAs('jordan');
    await openChannel('approvals');
    const request = messages(/asks to pause/).filter({ hasText: supportBot });
    await request.getByRole('button', { name: /Deny/ }).click();
    const modal = page.getByRole('dialog', { name: 'Deny a request' });
    await modal.waitFor(WAIT);
    await modal.getByLabel(/Reason/).fill('support traffic peaks tonight');
    await modal.getByRole('button', { name: 'Deny' }).click();
    await modal.waitFor({ state: 'hidden' });
    await request.filter({ hasText: /Denied by @jordan/ }).waitFor(WAIT);
    expect(await request.textContent()).toContain('support traffic peaks tonight');
    expect(await request.getByRole('button', { name: /Approve/ }).count()).toBe(0);
    expect(sandbox.ft.getJob(supportBot)?.status).toBe('running');

    // riley asked in #ml-training and hears it there, privately.
    await actAs('riley');
    await openChannel('ml-training');
    const told = messages(/was denied by @jordan/).filter({ hasText: supportBot });
    await told.waitFor(WAIT);
    expect(await told.textContent()).toContain('support traffic peaks tonight');
    expect(await told.textContent()).toContain('Only visible to you');
    await page.screenshot({ path: `${RESULTS}6-denied.png` });
    expect(pageErrors).toEqual([]);
  }, 30_000);

  it('lists both resources and each channel’s rule, and #team-nlp lists only the platform’s jobs', async () => {
    await page.goto(sandbox.url);
    await messages('now hears about').first().waitFor(WAIT);
    const resources = page.locator('#resources li');
    await resources.first().waitFor(WAIT);
    expect(await resources.allTextContents()).toEqual([
      `azure-eastusAzure${sandbox.ft.azureBaseUrl}`,
      `openai-platformOpenAI${sandbox.platform.openaiBaseUrl}`,
    ]);
    const nlpRule = page.locator('#access li.channel-rule', { hasText: '#team-nlp' });
    expect(await nlpRule.locator('li').allTextContents()).toEqual([
      'azure-eastus: status',
      'openai-platform: every command',
    ]);
    expect(await nlpRule.textContent()).toContain('access.channels.C0TEAMNLP');

    await openChannel('team-nlp');
    await send('/ft list');
    const list = messages(`openai-platform:${sandbox.platformJobIds[1]}`);
    await list.waitFor(WAIT);
    expect(await list.textContent()).not.toContain('azure-eastus');
    // The side panel's jobs carry their resource: both jobs with the shared ID are there.
    const shared = page.locator('#jobs li.job code.job-id', { hasText: sandbox.sharedJobId });
    await shared.nth(1).waitFor(WAIT);
    expect((await shared.allTextContents()).sort()).toEqual([
      `azure-eastus:${sandbox.sharedJobId}`,
      `openai-platform:${sandbox.sharedJobId}`,
    ]);
    await page.screenshot({ path: `${RESULTS}7-resources.png` });
    expect(pageErrors).toEqual([]);
  }, 30_000);

  it('suggests the verbs the bot lists, and jobs (or all) for a verb that takes one', async () => {
    await page.goto(sandbox.url);
    await messages('now hears about').first().waitFor(WAIT);
    const box = page.getByLabel(/^Message #/);
    const hint = page.locator('#composer-hint');
    const options = () =>
      page
        .locator('#ft-suggestions option')
        .evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));

    // Every verb of the bot's own vocabulary, including the late ones (whoami, audit).
    await box.fill('/');
    await box.dispatchEvent('input');
    const words = (await hint.textContent()) ?? '';
    for (const verb of ['help', 'list', 'approvals', 'audit', 'whoami'])
      expect(words).toContain(verb);

    // `audit [job]` takes a job: the panel's jobs are offered.
    await box.fill('/ft audit ');
    await box.dispatchEvent('input');
    // Each job by its key, so a suggestion never needs "which resource?".
    await expect.poll(options).toContain(`/ft audit azure-eastus:${sandbox.jobIds[0]}`);
    await expect.poll(options).toContain(`/ft audit openai-platform:${sandbox.sharedJobId}`);
    expect(await hint.textContent()).toContain('audit [job]');

    // `watch <job>|all` takes all as well; `whoami` takes nothing, so verbs are offered.
    await box.fill('/ft watch ');
    await box.dispatchEvent('input');
    await expect.poll(options).toContain('/ft watch all');
    await box.fill('/ft whoami ');
    await box.dispatchEvent('input');
    await expect.poll(options).toContain('/ft help');
    expect(pageErrors).toEqual([]);
  }, 30_000);

  it('is usable at 360 px: Send fits, the jobs panel is there, and its buttons follow the job', async () => {
    const narrow = await browser.newPage({ viewport: { width: 360, height: 740 } });
    narrow.on('pageerror', (err) => pageErrors.push(err.message));
    try {
      await narrow.goto(sandbox.url);
      const send = narrow.getByRole('button', { name: 'Send' });
      await send.waitFor(WAIT);
      const box = await send.boundingBox();
      expect(box).not.toBeNull();
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(360);
      const jobs = narrow.locator('#jobs li.job').first();
      await jobs.scrollIntoViewIfNeeded();
      expect(await jobs.isVisible()).toBe(true);
      // A job that is pausing offers no second Pause.
      const [id] = sandbox.jobIds as [string];
      sandbox.ft.setStatus(id, 'pausing');
      const pause = narrow
        .getByRole('button', { name: /^Pause .*/ })
        .and(narrow.locator(`[data-job-id="${id}"]`));
      await expect.poll(() => pause.isDisabled(), WAIT).toBe(true);
    } finally {
      await narrow.close();
    }
    expect(pageErrors).toEqual([]);
  }, 30_000);
});
