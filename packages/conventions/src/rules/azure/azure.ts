/**
 * Azure OpenAI deployments (`azure.ai.openai`) and Azure AI Foundry `/models` routes
 * (`azure.ai.inference`): multi-vendor clouds (Azure serves OpenAI, xAI, Meta, Mistral, Cohere
 * models on the same routes). Upstream = the vendor of the served model (`x-ms-served-model`,
 * else body `model`); deployment = the deployment name (URL segment, `x-ms-deployment-name` after
 * a spill-over, or the body `model` on `/openai/v1` routes); region = `x-ms-region`; request id =
 * `apim-request-id`. Azure also sends `openai-version` / `openai-processing-ms`, so those never
 * prove OpenAI direct.
 */
import { parseAzureUrl } from '../../azure-url';
import { text } from '../../shared/json';
import type { AzureTarget } from '../../types';
import { modelVendor } from '../../vocabulary';
import { regionCode, bodyModel, firstHeaderWith, hop, signal } from '../helpers';
import type { HopFacts, RouteRule, RuleContext } from '../rule';

const FOUNDRY_MODELS_PATH = /\/models\//;

function azureTarget(context: RuleContext): AzureTarget | undefined {
  return context.once('azure-target', () => (context.rawUrl === undefined ? undefined : parseAzureUrl(context.rawUrl)));
}

/** The Azure OpenAI / AI Foundry rule. */
export const azure: RouteRule = {
  id: 'azure.ai.openai',
  alsoExpands: ['azure.ai.inference'],
  role: 'cloud',
  hosts: ['openai.azure.com', 'cognitiveservices.azure.com', 'services.ai.azure.com', 'models.ai.azure.com', 'openai.azure.us'],
  fingerprints: [
    { header: 'x-ms-served-model' },
    { header: 'x-ms-region' },
    { header: 'apim-request-id' },
    { header: 'x-ms-deployment-name' },
    { header: 'azureml-model-session' },
  ],
  // Content-filter results are Azure's own (OpenInference keeps them in `output.value`).
  bodyFingerprint: (body) => (body.azureContentFilter ? signal('body.prompt_filter_results', 'fingerprint') : undefined),
  hints: ['azure', 'azurechatopenai'],
  systemOf(context) {
    const target = azureTarget(context);
    if (target) return target.system;
    if (context.host?.endsWith('models.ai.azure.com')) return 'azure.ai.inference';
    // Foundry `/models/…` routes answer with the same Azure headers as OpenAI deployments.
    return FOUNDRY_MODELS_PATH.test(context.pathname) ? 'azure.ai.inference' : 'azure.ai.openai';
  },
  expand(context, position) {
    const { headers } = context;
    const { outer } = position;
    const system = position.system ?? 'azure.ai.openai';
    const result: HopFacts = {};
    const target = outer ? azureTarget(context) : undefined;
    const servedModel = text(headers.get('x-ms-served-model'));
    if (servedModel) result.responseModel = { value: servedModel, signal: signal('header.x-ms-served-model', 'served-by') };
    else {
      const model =
        bodyModel(context) ??
        (context.responseModel ? { value: context.responseModel, signal: signal('response.model', 'response-field') } : undefined);
      if (model) result.responseModel = model;
    }
    if (outer) {
      const deployment =
        text(headers.get('x-ms-deployment-name')) ??
        target?.deployment ??
        (system === 'azure.ai.openai' ? (context.requestModel ?? text(headers.get('x-ratelimit-key'))) : undefined);
      if (deployment) result.deployment = deployment;
      if (!context.requestModel && target?.deployment) result.requestModel = target.deployment;
      const region = regionCode(headers.get('x-ms-region'));
      if (region) result.region = region;
      // Provisioned-throughput spill-over: another deployment served than the one addressed.
      const spilledOver = headers.get('x-ms-is-spilled-over')?.trim().toLowerCase();
      if (spilledOver === 'true' || firstHeaderWith(context, 'x-ms-spillover-from') !== undefined) result.fallback = true;
      else if (spilledOver === 'false') result.fallback = false;
      const requestId = text(headers.get('apim-request-id')) ?? text(headers.get('x-request-id'));
      if (requestId) result.requestId = requestId;
    }
    // Behind a gateway that relays the backend's headers unchanged, `x-ms-region` is still Azure's.
    if (!outer) {
      const region = regionCode(headers.get('x-ms-region'));
      if (region) result.region = region;
    }
    // The vendor comes from the served model; behind a gateway, from the model it sent on.
    const sentVendor = outer ? undefined : modelVendor(position.vendorModel);
    if (sentVendor) {
      result.next = hop(sentVendor, 'model_id', 'cloud-model-id');
      return result;
    }
    // Only a model Azure says it served names the vendor. The model the code sent is a deployment
    // name the user chose (`gpt-4o-prod` may serve Mistral), so it never decides alone (§2.7).
    const vendor = modelVendor(result.responseModel?.value);
    if (vendor) result.next = hop(vendor, result.responseModel!.signal.name, 'cloud-model-id');
    return result;
  },
};
