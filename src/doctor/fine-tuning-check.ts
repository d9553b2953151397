import {
  APIConnectionError,
  AuthenticationError,
  BadRequestError,
  CredentialUnavailableError,
  type FineTuningClient,
  InvalidResponseError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from '../api/index.ts';
import type { Config } from '../bot/config/index.ts';
import { errorText } from '../util/error-text.ts';
import { CHECKS, type CheckResult, fail, pass, warn } from './check.ts';

type FineTuning = Config['fineTuning'];

const ENDPOINT_HINT =
  'AZURE_OPENAI_ENDPOINT is the resource endpoint, e.g. https://myres.openai.azure.com (ftops adds /openai/v1)';

/** What to change when the fine-tuning API refused or could not be reached. */
export function fineTuningFix(err: unknown, ft: FineTuning): string {
  const azure = ft.provider === 'azure';
  if (err instanceof CredentialUnavailableError) {
    return 'No Microsoft Entra ID credential was found: run `az login` (development), give the host a managed identity (set AZURE_CLIENT_ID for a user-assigned one), or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET; or set AZURE_OPENAI_API_KEY.';
  }
  if (err instanceof AuthenticationError) {
    if (ft.auth.type === 'api-key') {
      return 'AZURE_OPENAI_API_KEY was refused: copy KEY 1 or KEY 2 from the resource’s Keys and Endpoint page, and check that AZURE_OPENAI_ENDPOINT names the same resource.';
    }
    if (ft.auth.type === 'entra') {
      return 'The Entra ID token was refused: check that the identity is in the resource’s tenant, that AZURE_OPENAI_TOKEN_SCOPE is right (default https://cognitiveservices.azure.com/.default), and that the resource allows Entra ID sign-in.';
    }
    return 'OPENAI_API_KEY was refused: create a current key at https://platform.openai.com/api-keys.';
  }
  if (err instanceof PermissionDeniedError) {
    return azure
      ? 'Give the identity the "Cognitive Services OpenAI Contributor" role on the resource, and check the resource’s network rules (firewall, private endpoint) allow this host.'
      : 'Check that the key’s project and organization may use fine-tuning.';
  }
  if (err instanceof NotFoundError || err instanceof InvalidResponseError) {
    return azure
      ? `Something other than the fine-tuning API answers there: ${ENDPOINT_HINT}.`
      : 'Something other than the fine-tuning API answers there: check OPENAI_BASE_URL (default https://api.openai.com/v1).';
  }
  if (err instanceof BadRequestError && err.param === 'api-version') {
    return 'Set AZURE_OPENAI_API_VERSION to v1 or preview, or leave it unset.';
  }
  if (err instanceof APIConnectionError) {
    return azure
      ? `Check the host name in AZURE_OPENAI_ENDPOINT and that this host can reach it (DNS, firewall, private endpoint, proxy). ${ENDPOINT_HINT}.`
      : 'Check OPENAI_BASE_URL and that this host can reach it (DNS, firewall, proxy).';
  }
  return 'Try again in a few minutes; if it persists, check the service’s status page.';
}

/** Lists one job with the configured credentials: proves the endpoint, the auth and the route. */
export async function checkFineTuningApi(
  client: FineTuningClient,
  ft: FineTuning,
): Promise<CheckResult> {
  const name = CHECKS.fineTuning;
  const where = `GET ${ft.baseUrl}/fine_tuning/jobs?limit=1`;
  const how =
    ft.auth.type === 'entra'
      ? 'Microsoft Entra ID'
      : ft.auth.type === 'api-key'
        ? 'api-key'
        : 'bearer key';
  try {
    const page = await client.listJobs({ limit: 1 });
    const seen = page.data.length === 0 ? 'no jobs yet' : 'jobs visible';
    return pass(name, `${where} with ${how} authentication answered (${seen})`);
  } catch (err) {
    if (err instanceof RateLimitError) {
      return warn(
        name,
        `${where} was rate limited (429): the credentials were accepted but the quota is in use`,
        'Nothing to change unless this persists; a slower FT_POLL_INTERVAL_SECONDS lowers ftops’ share.',
      );
    }
    return fail(name, `${where} failed: ${errorText(err)}`, fineTuningFix(err, ft));
  }
}
