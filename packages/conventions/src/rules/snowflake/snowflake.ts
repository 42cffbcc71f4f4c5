/**
 * Snowflake Cortex REST API (`{account}.snowflakecomputing.com/api/v2/cortex/…`): a multi-vendor
 * cloud. Snowflake serves Anthropic, Meta, Mistral, OpenAI, DeepSeek and its own models behind
 * one API, so, as for Bedrock, the gateway is Snowflake and the upstream is the model's vendor,
 * read from the model id on Snowflake's own host (`claude-3-5-sonnet` → `anthropic`,
 * `llama3.1-70b` → `meta`, `openai-gpt-4.1` → `openai`). Snowflake's own models
 * (`snowflake-arctic`) and ids no vendor rule knows leave the upstream unset.
 *
 * Routes (Snowflake docs): `inference:complete` (SSE by default), the OpenAI-compatible
 * `/api/v2/cortex/v1/chat/completions` and the Anthropic-compatible `/api/v2/cortex/v1/messages`.
 * Evidence: real recordings of the OpenAI-compatible route (pydantic-ai cassettes, `__fixtures__/`:
 * Claude, Llama and openai-gpt-4.1, JSON and SSE; the OpenAI model's body `model` is `''`, Claude's
 * and Llama's echo the Cortex id, ids are `''` except OpenAI's own `chatcmpl-…`). The
 * `inference:complete` and Anthropic-compatible routes: documentation only.
 */
import { text } from '../../shared/json';
import { modelVendor } from '../../vocabulary';
import { bodyModel, hop } from '../helpers';
import type { HopFacts, RouteRule, RuleContext } from '../rule';

const ACCOUNT_HOST = /\.snowflakecomputing\.com$/;
const CORTEX_PATH = /^\/api\/v2\/cortex\//;
const COMPLETE_PATH = /^\/api\/v2\/cortex\/inference[:/]complete$/;
// Snowflake spells some vendors' models with the vendor in front (`openai-gpt-4.1`); its own
// tuned Llama builds keep Meta as the model's maker (`snowflake-llama-3.3-70b`).
const VENDOR_PREFIX = /^(openai|snowflake)-(.+)$/;

/** The vendor that made a Cortex model, from its Cortex id; `undefined` for Snowflake's own or unknown models. */
export function cortexModelVendor(model: string | undefined): string | undefined {
  if (typeof model !== 'string' || model.length === 0 || model.length > 256) return undefined;
  const lower = model.toLowerCase();
  const prefixed = VENDOR_PREFIX.exec(lower);
  if (prefixed) {
    const vendor = modelVendor(prefixed[2]);
    if (prefixed[1] === 'openai') return vendor === 'openai' ? 'openai' : undefined;
    return vendor;
  }
  return modelVendor(lower);
}

function isCortex(context: RuleContext): boolean {
  return context.host !== undefined && ACCOUNT_HOST.test(context.host) && CORTEX_PATH.test(context.pathname);
}

/** The Snowflake Cortex rule. */
export const snowflake: RouteRule = {
  id: 'snowflake',
  role: 'cloud',
  matchesHost: (host) => ACCOUNT_HOST.test(host),
  hints: ['snowflake', 'cortex'],
  expand(context, position) {
    const result: HopFacts = {};
    if (position.outer && !isCortex(context)) return result;
    const model = bodyModel(context);
    if (model) result.responseModel = model;
    // The model the code sent names the vendor; the served model's id (body) is the fallback.
    const sent = position.outer ? context.requestModel : position.vendorModel;
    const fromSent = cortexModelVendor(sent);
    const vendor = fromSent ?? cortexModelVendor(model?.value);
    if (vendor) result.next = hop(vendor, fromSent ? 'model_id' : 'body.model', 'cloud-model-id');
    // On `inference:complete` the response `id` is Cortex's request identifier (Cortex REST API
    // reference); the OpenAI- and Anthropic-compatible routes return those APIs' response ids.
    const id = text(context.body.id);
    if (position.outer && id && COMPLETE_PATH.test(context.pathname)) result.requestId = id;
    return result;
  },
};
