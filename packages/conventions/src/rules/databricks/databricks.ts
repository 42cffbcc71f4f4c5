/**
 * Databricks Model Serving / Mosaic AI Gateway (`{workspace}.cloud.databricks.com`,
 * `adb-….azuredatabricks.net`, `….gcp.databricks.com`, path `/serving-endpoints/…`): a
 * multi-vendor cloud. The endpoint name is the deployment. Databricks' own pay-per-token
 * foundation endpoints are named `databricks-{model}` (`databricks-claude-sonnet-4`,
 * `databricks-meta-llama-3-3-70b-instruct`, `databricks-gpt-oss-20b`), so on Databricks' own
 * host their name reveals the model's vendor, which is the upstream. Any other endpoint name is
 * the customer's own (a custom model, or an external-model endpoint that forwards to OpenAI,
 * Anthropic, …): it names no upstream, unless a unique fingerprint of the provider comes back.
 *
 * Databricks serves some foundation models through another cloud: a real Azure Databricks
 * `databricks-claude-3-7-sonnet` answer carries Amazon Bedrock's own message id (`msg_bdrk_…`) and
 * its US inference-profile id as `model`. When the answer names such a cloud by a fingerprint
 * unique to it, that cloud is the next hop (the upstream, DESIGN.md §2.3: a cloud reached through
 * another is the upstream, its model vendor comes after it); otherwise the endpoint's vendor is.
 *
 * Routes: `/serving-endpoints/{endpoint}/invocations` and the OpenAI-compatible
 * `/serving-endpoints/chat/completions` (endpoint = body `model`).
 * Evidence: real recordings (`__fixtures__/`: chatlas cassettes with every header — Databricks'
 * own `server: databricks`, `x-databricks-org-id`, `x-request-id` beside Bedrock's relayed
 * `x-amzn-requestid` / `x-amzn-bedrock-*`; and a logged request/response pair), all
 * `databricks-claude-3-7-sonnet` served by Bedrock; the rest from documentation and public client code.
 */
import { text } from '../../shared/json';
import { modelVendor } from '../../vocabulary';
import { bodyModel, hop, pathSegments } from '../helpers';
import type { HopFacts, RouteRule, RuleContext } from '../rule';

const WORKSPACE_HOST = /(?:^|\.)(?:cloud\.databricks\.com|azuredatabricks\.net|gcp\.databricks\.com)$/;
const FOUNDATION_ENDPOINT = /^databricks-([a-z0-9][a-z0-9._-]{0,127})$/;
const MAX_ENDPOINT_NAME = 128;

/** The serving endpoint a request names: the path segment after `serving-endpoints`, else the body `model` on the OpenAI-compatible routes. */
export function servingEndpoint(segments: readonly string[], requestModel: string | undefined): string | undefined {
  const at = segments.indexOf('serving-endpoints');
  if (at < 0) return undefined;
  const named = segments[at + 1];
  const openAiCompatible = named === undefined || named === 'chat' || named === 'completions' || named === 'embeddings' || named === 'responses';
  const endpoint = openAiCompatible ? requestModel : named;
  return endpoint && endpoint.length <= MAX_ENDPOINT_NAME ? endpoint : undefined;
}

/** The vendor behind a Databricks foundation endpoint (`databricks-claude-sonnet-4` → `anthropic`); `undefined` for a customer's endpoint. */
export function foundationVendor(endpoint: string | undefined): string | undefined {
  const match = endpoint ? FOUNDATION_ENDPOINT.exec(endpoint.toLowerCase()) : null;
  return match ? modelVendor(match[1]) : undefined;
}

// Claude message ids that only one cloud mints; they survive Databricks' OpenAI-shaped translation.
const CLOUD_MESSAGE_IDS: readonly (readonly [RegExp, string])[] = [
  [/^msg_bdrk_/, 'aws.bedrock'],
  [/^msg_vrtx_/, 'gcp.vertex_ai'],
];

// Vendors whose Databricks foundation endpoints real traffic showed served by another cloud
// (`databricks-claude-3-7-sonnet` → Amazon Bedrock, three recordings in `__fixtures__/`).
const RELAYED_VENDORS: ReadonlySet<string> = new Set(['anthropic']);

// Clouds Databricks is seen serving foundation endpoints through (their own headers relayed).
const SERVING_CLOUDS: ReadonlySet<string> = new Set(['aws.bedrock', 'gcp.vertex_ai', 'azure.ai.openai', 'azure.ai.inference']);

/** The cloud whose own message id the answer carries (`msg_bdrk_…` → `aws.bedrock`). */
export function cloudOfMessageId(id: unknown): string | undefined {
  if (typeof id !== 'string' || id.length > 256) return undefined;
  return CLOUD_MESSAGE_IDS.find(([shape]) => shape.test(id))?.[1];
}

function onWorkspace(context: RuleContext): boolean {
  return context.host !== undefined && WORKSPACE_HOST.test(context.host);
}

/** The Databricks rule. */
export const databricks: RouteRule = {
  id: 'databricks',
  role: 'cloud',
  matchesHost: (host) => WORKSPACE_HOST.test(host),
  hints: ['databricks'],
  expand(context, position) {
    const result: HopFacts = {};
    const model = bodyModel(context);
    if (model) result.responseModel = model;
    if (!position.outer) {
      const vendor = foundationVendor(position.vendorModel);
      if (vendor) result.next = hop(vendor, 'model_id', 'cloud-model-id');
      return result;
    }
    if (!onWorkspace(context)) return result;
    const segments = pathSegments(context);
    const endpoint = servingEndpoint(segments, context.requestModel);
    if (!endpoint) return result;
    const namedInPath = segments[segments.indexOf('serving-endpoints') + 1] === endpoint;
    result.deployment = endpoint;
    // Databricks' own request id (the `request_id` of its server-timing header).
    if (context.headers.has('x-databricks-org-id')) {
      const requestId = text(context.headers.get('x-request-id'));
      if (requestId) result.requestId = requestId;
    }
    // A cloud that served a foundation endpoint shows itself by its own message id or relayed headers.
    const fingerprint = context.headerFingerprint() ?? context.bodyFingerprint();
    const messageCloud = cloudOfMessageId(context.body.id);
    const servingCloud = messageCloud ? hop(messageCloud, 'body.id', 'fingerprint') : fingerprint && SERVING_CLOUDS.has(fingerprint.provider) ? fingerprint : undefined;
    if (servingCloud) {
      result.next = servingCloud;
      result.vendorModel = model?.value;
      return result;
    }
    // A provider's own fingerprint (an external-model endpoint relaying OpenAI) beats the name.
    const vendor = foundationVendor(endpoint);
    // Databricks' docs say foundation models are "hosted by Databricks", but every recorded Claude
    // answer was Bedrock's: without that cloud's fingerprint a Claude endpoint's name cannot say
    // which cloud served, so it decides nothing (the vendor is not the hop behind Databricks).
    if (vendor && !RELAYED_VENDORS.has(vendor)) result.next = hop(vendor, namedInPath ? 'url' : 'model_id', 'cloud-model-id');
    else if (fingerprint && fingerprint.provider !== 'databricks') result.next = fingerprint;
    return result;
  },
};
