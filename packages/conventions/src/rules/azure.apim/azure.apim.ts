/**
 * Azure API Management in front of Azure OpenAI (`{service}.azure-api.net`): an independent
 * gateway on the customer's own APIM host. APIM relays the backend's response headers, so the
 * Azure OpenAI behind it shows itself by its own fingerprints (`x-ms-region`, `apim-request-id`,
 * `x-ms-served-model`, content-filter fields). The `/{suffix}/deployments/{d}/…` path is only a
 * shape: APIM can front any backend under it, so it names the deployment but never decides the
 * upstream alone (DESIGN.md §2.7).
 *
 * APIM adds no header of its own to a proxied call, so the relayed `x-ms-region` is where the
 * Azure backend ran and the relayed `apim-request-id` (Azure OpenAI's own front door) is the only
 * request id on the response. APIM's own refusals (`llm-content-safety` 400, subscription-key
 * 401, `azure-openai-token-limit` 429, token-quota 403) carry none of the backend's headers — no
 * `apim-request-id` either: a refusal without any fingerprint of a backend is APIM's, one with
 * them is the backend's, relayed.
 * Evidence: real saved outputs of Microsoft's AI-Gateway labs (`__fixtures__/`): proxied calls
 * with every relayed header, APIM's own content-safety 400s; its own 401 (missing subscription
 * key, `{statusCode, message}`) from an SDK error pasted in a GitHub issue; the 429/403 refusals
 * are from the APIM docs only.
 */
import { text } from '../../shared/json';
import { azureRegion, bodyModel, hop, pathSegments, refused } from '../helpers';
import type { HopFacts, RouteRule } from '../rule';

const APIM_HOST = /\.azure-api\.net$/;
const MAX_DEPLOYMENT = 128;

// Azure OpenAI operations after `deployments/{d}/`; APIM publishes them under any API suffix
// (`/openai/deployments/…` by default, `/{suffix}/deployments/…` when configured).
const OPERATIONS: ReadonlySet<string> = new Set(['chat', 'completions', 'embeddings', 'images', 'audio', 'responses', 'extensions']);

/** The deployment in an Azure-OpenAI-shaped path (`…/deployments/{d}/chat/completions`), percent-decoded. */
export function deploymentOfPath(segments: readonly string[]): string | undefined {
  const at = segments.indexOf('deployments');
  if (at < 0 || !OPERATIONS.has(segments[at + 2] ?? '')) return undefined;
  const raw = segments[at + 1];
  if (!raw || raw.length > MAX_DEPLOYMENT * 3) return undefined;
  try {
    const decoded = decodeURIComponent(raw);
    return decoded.length > 0 && decoded.length <= MAX_DEPLOYMENT ? decoded : undefined;
  } catch {
    return undefined;
  }
}

/** The Azure API Management rule. */
export const azureApim: RouteRule = {
  id: 'azure.apim',
  role: 'gateway',
  matchesHost: (host) => APIM_HOST.test(host),
  hints: ['azure_apim', 'apim'],
  expand(context, position) {
    const result: HopFacts = {};
    if (!position.outer) return result;
    const deployment = deploymentOfPath(pathSegments(context));
    if (deployment) {
      result.deployment = deployment;
      if (!context.requestModel) result.requestModel = deployment;
    }
    const backend = context.headerFingerprint() ?? context.bodyFingerprint();
    if (backend && backend.provider !== 'azure.apim') result.next = backend;
    else if (context.body.azureContentFilter === true) result.next = hop('azure.ai.openai', 'body.prompt_filter_results', 'fingerprint');
    if (result.next?.provider.startsWith('azure.')) {
      // The Azure backend's own headers, relayed unchanged by APIM.
      const region = azureRegion(context.headers.get('x-ms-region'));
      if (region) result.region = region;
      const requestId = text(context.headers.get('apim-request-id'));
      if (requestId) result.requestId = requestId;
    }
    // Behind APIM a cloud (Azure OpenAI) reads its own served model; any other backend's is the body's.
    const model = bodyModel(context);
    if (model && !result.next?.provider.startsWith('azure.')) result.responseModel = model;
    result.vendorModel = text(context.body.model) ?? deployment ?? context.requestModel;
    if (refused(context)) result.errorSource = result.next ? 'upstream' : 'gateway';
    return result;
  },
};
