import { link, type Mrkdwn, md } from './mrkdwn.ts';

/** Where a job can be seen in its provider's own portal. */
export interface JobLink {
  url: string;
  label: string;
}

/** Names the portal by its host, so the link says where it leads. */
function labelFor(url: URL): string {
  if (url.hostname === 'platform.openai.com') return 'Open in the OpenAI dashboard';
  if (url.hostname === 'ai.azure.com') return 'Open in Azure AI Foundry';
  return `Open on ${url.hostname}`;
}

/** The job's page from a `{job}` template (FT_JOB_URL), or undefined without one. */
export function jobLinkFor(template: string | undefined, jobId: string): JobLink | undefined {
  if (!template) return undefined;
  try {
    const url = new URL(template.replaceAll('{job}', encodeURIComponent(jobId)));
    return { url: url.href, label: labelFor(url) };
  } catch {
    return undefined;
  }
}

/** `🔗 Open in the OpenAI dashboard`, linked. */
export function jobLinkText(l: JobLink): Mrkdwn {
  return md`🔗 ${link(l.url, l.label)}`;
}
