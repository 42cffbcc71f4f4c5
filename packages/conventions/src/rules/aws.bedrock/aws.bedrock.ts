/**
 * Amazon Bedrock Runtime: a multi-vendor cloud. Upstream = the model's vendor, from the model ID
 * in the runtime path or the request (geography prefixes, ARNs), or Converse's
 * `trace.promptRouter.invokedModelId`. The model ID decides only on Bedrock's own host or with
 * AWS's own response headers (DESIGN.md §2.7): a `/model/{id}/converse` path on another host is
 * just a path shape. `cloud.region` = the client region for in-region model kinds; a geography
 * profile gives `gen_ai.route.region_scope` instead, never an invented region.
 */
import { parseBedrockModelId } from '../../bedrock-model-id';
import { createBoundedMemo } from '../../shared/memo';
import { isObject, own, pathOf, text } from '../../shared/json';
import type { BedrockModelId } from '../../types';
import { modelVendor } from '../../vocabulary';
import { failed, hop, signal } from '../helpers';
import type { HopFacts, RouteRule, RuleContext } from '../rule';

const BEDROCK_HOST = /^bedrock(?:-runtime|-agent-runtime|-mantle)?(?:-fips)?[.-]/;
const AWS_DOMAIN = /(?:\.amazonaws\.com|\.api\.aws)$/;
const AWS_REGION_OF_HOST = /^bedrock(?:-runtime|-agent-runtime|-mantle)?(?:-fips)?\.([a-z0-9-]+)\.(?:amazonaws\.com|api\.aws)$/;
const RUNTIME_PATH = /\/model\/(.+)\/(converse-stream|converse|invoke-with-response-stream|invoke|count-tokens)\/?$/;

const PATH_MODEL_IDS = createBoundedMemo<string | null>(256, 1024);

/** The model ID in a Bedrock Runtime path (`/model/{id}/converse`), percent-decoded. */
export function bedrockPathModelId(pathname: string): string | undefined {
  // Most paths are not Bedrock runtime paths: one substring check spares the regex.
  if (!pathname.includes('/model/')) return undefined;
  return PATH_MODEL_IDS.get(pathname, (path) => parsePathModelId(path) ?? null) ?? undefined;
}

function parsePathModelId(pathname: string): string | undefined {
  // The SDK percent-encodes the ID; hand-built URLs may not, so an ARN's `/` is allowed too.
  const match = RUNTIME_PATH.exec(pathname);
  if (!match?.[1]) return undefined;
  try {
    return decodeURIComponent(match[1]).slice(0, 2048);
  } catch {
    return match[1].slice(0, 2048);
  }
}

function promptRouterModelId(context: RuleContext): { id: string; name: string } | undefined {
  const fromBody = text(context.body.promptRouterInvokedModelId);
  if (fromBody) return { id: fromBody, name: 'body.trace.promptRouter.invokedModelId' };
  const fromMetadata = text(pathOf(context.metadata, 'bedrock', 'trace', 'promptRouter', 'invokedModelId'));
  if (fromMetadata) return { id: fromMetadata, name: 'provider_metadata.bedrock.trace.promptRouter.invokedModelId' };
  return undefined;
}

const IN_REGION_KINDS: ReadonlySet<BedrockModelId['kind']> = new Set([
  'foundation-model',
  'provisioned-model',
  'custom-model',
  'imported-model',
]);

// Behind a gateway: the model the gateway says it sent on names vendor and geography.
function expandBehindGateway(context: RuleContext, vendorModel: string | undefined): HopFacts {
  const result: HopFacts = {};
  const sent = vendorModel ? parseBedrockModelId(vendorModel) : undefined;
  const routed = promptRouterModelId(context);
  const invoked = routed ? parseBedrockModelId(routed.id) : undefined;
  const vendor = sent?.vendor ?? modelVendor(vendorModel) ?? invoked?.vendor ?? modelVendor(context.body.model);
  if (vendor) result.next = hop(vendor, 'model_id', 'cloud-model-id');
  const regionScope = sent?.geography ?? invoked?.geography;
  if (regionScope) result.regionScope = regionScope;
  if (!failed(context) && invoked?.model) {
    result.responseModel = { value: invoked.model, signal: signal(routed!.name, 'served-by') };
  }
  return result;
}

/** The Amazon Bedrock rule. */
export const awsBedrock: RouteRule = {
  id: 'aws.bedrock',
  role: 'cloud',
  matchesHost: (host) => host.startsWith('bedrock') && BEDROCK_HOST.test(host) && AWS_DOMAIN.test(host),
  fingerprints: [
    { header: 'x-amzn-bedrock-invocation-latency' },
    { header: 'x-amzn-bedrock-', prefix: true, signal: 'x-amzn-bedrock' },
    { header: 'x-amzn-requestid' },
  ],
  recognise(context) {
    // The AI SDK's Bedrock provider metadata comes only from a Bedrock response.
    return isObject(own(context.metadata, 'bedrock'))
      ? { signal: signal('provider_metadata.bedrock', 'fingerprint'), source: 'metadata' }
      : undefined;
  },
  // `msg_bdrk_` ids are minted by Bedrock only. Translators keep them on OpenAI-shaped bodies
  // (real: Databricks' chat.completion for Claude served by Bedrock), so any shape counts.
  bodyFingerprint(body) {
    return (body.anthropicMessageId ?? body.id)?.startsWith('msg_bdrk_') ? signal('body.id', 'fingerprint') : undefined;
  },
  hints: ['amazon-bedrock', 'amazon_bedrock', 'amazon.bedrock', 'bedrock', 'aws', 'chatbedrock', 'chatbedrockconverse'],
  expand(context, position) {
    if (!position.outer) return expandBehindGateway(context, position.vendorModel);
    const result: HopFacts = {};
    const modelId = bedrockPathModelId(context.pathname) ?? context.requestModel;
    const parsed = modelId ? parseBedrockModelId(modelId) : undefined;
    const routed = promptRouterModelId(context);
    const invoked = routed ? parseBedrockModelId(routed.id) : undefined;
    if (modelId && !context.requestModel) result.requestModel = modelId;
    const served = invoked ?? parsed;
    const bodyVendor = served?.vendor ? undefined : modelVendor(context.body.model);
    if (invoked?.vendor) result.next = hop(invoked.vendor, routed!.name, 'served-by');
    else if (served?.vendor) result.next = hop(served.vendor, 'model_id', 'cloud-model-id');
    else if (bodyVendor) result.next = hop(bodyVendor, 'body.model', 'cloud-model-id');
    if (!failed(context)) {
      const bodyModel = text(context.body.model);
      if (invoked?.model) result.responseModel = { value: invoked.model, signal: signal(routed!.name, 'served-by') };
      else if (bodyModel) result.responseModel = { value: bodyModel, signal: signal('body.model', 'response-field') };
      else if (parsed?.model) result.responseModel = { value: parsed.model, signal: signal('model_id', 'cloud-model-id') };
    }
    const awsRegion = text(context.region) ?? (context.host ? AWS_REGION_OF_HOST.exec(context.host)?.[1] : undefined) ?? served?.arnRegion;
    if (awsRegion) result.awsRegion = awsRegion;
    // Bedrock serves unprefixed IDs in the client's region; profiles may run anywhere in their geography.
    if (awsRegion && served && IN_REGION_KINDS.has(served.kind)) result.region = awsRegion;
    if (served?.geography) result.regionScope = served.geography;
    const requestId = text(context.headers.get('x-amzn-requestid'));
    if (requestId) result.requestId = requestId;
    return result;
  },
};
