/**
 * Attribute names, metric names and histogram boundaries used by servedby.
 *
 * GenAI names are copied from the OpenTelemetry semantic conventions (v1.36–v1.41 and the
 * GenAI repository) rather than imported from `@opentelemetry/semantic-conventions/incubating`,
 * as that package's README asks instrumentations to do. Every GenAI entry is *Development*
 * stability in the spec; `gen_ai.route.*` are servedby extensions that no spec defines yet.
 */

// ---------------------------------------------------------------------------------------------
// GenAI semantic conventions: system / operation / model
// ---------------------------------------------------------------------------------------------

/**
 * `gen_ai.system`: the GenAI system the code talked to (the gateway if there is one). Example:
 * `openrouter`. Spec status: deprecated since semconv v1.37.0 (renamed to `gen_ai.provider.name`);
 * still the name most backends query, so servedby emits it by default.
 */
export const ATTR_GEN_AI_SYSTEM = 'gen_ai.system';

/**
 * `gen_ai.provider.name`: the provider the code talked to. Example: `aws.bedrock`.
 * Spec status: Development, Required on inference spans since semconv v1.37.0.
 */
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';

/**
 * `gen_ai.operation.name`: the operation performed. Example: `chat`, `text_completion`,
 * `embeddings`, `invoke_agent`, `execute_tool`. Spec status: Development, Required.
 */
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';

/**
 * `gen_ai.request.model`: the model exactly as the code asked for it (Azure: the deployment).
 * Example: `anthropic/claude-haiku-4.5`. Spec status: Development, Conditionally Required.
 */
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';

/**
 * `gen_ai.response.model`: the exact model that served the call. Example:
 * `claude-sonnet-4-20250514`. Spec status: Development, Recommended.
 */
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';

/** `gen_ai.response.id`: the provider's id of the completion. Example: `chatcmpl-123`. Spec status: Development, Recommended. */
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id';

/**
 * `gen_ai.response.finish_reasons`: why generation stopped, one per choice (string array).
 * Example: `["stop"]`. Spec status: Development, Recommended.
 */
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';

/** `gen_ai.response.time_to_first_chunk`: seconds until the first streamed chunk. Example: `0.5`. Spec status: Development, since v1.41.0. */
export const ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk';

/** `gen_ai.request.stream`: `true` when the request streams. Example: `true`. Spec status: Development, since v1.41.0. */
export const ATTR_GEN_AI_REQUEST_STREAM = 'gen_ai.request.stream';

/** `gen_ai.request.max_tokens`: maximum tokens requested. Example: `100`. Spec status: Development, Recommended. */
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';

/** `gen_ai.request.temperature`: sampling temperature. Example: `0.0`. Spec status: Development, Recommended. */
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';

/** `gen_ai.request.top_p`: nucleus sampling. Example: `1.0`. Spec status: Development, Recommended. */
export const ATTR_GEN_AI_REQUEST_TOP_P = 'gen_ai.request.top_p';

/** `gen_ai.request.top_k`: top-k sampling. Example: `40`. Spec status: Development (int in the GenAI repo, double ≤ v1.41). */
export const ATTR_GEN_AI_REQUEST_TOP_K = 'gen_ai.request.top_k';

/** `gen_ai.request.frequency_penalty`. Example: `0.1`. Spec status: Development, Recommended. */
export const ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY = 'gen_ai.request.frequency_penalty';

/** `gen_ai.request.presence_penalty`. Example: `0.1`. Spec status: Development, Recommended. */
export const ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY = 'gen_ai.request.presence_penalty';

/** `gen_ai.request.stop_sequences` (string array). Example: `["forest"]`. Spec status: Development, Recommended. */
export const ATTR_GEN_AI_REQUEST_STOP_SEQUENCES = 'gen_ai.request.stop_sequences';

/** `gen_ai.request.seed`. Example: `100`. Spec status: Development, Conditionally Required. */
export const ATTR_GEN_AI_REQUEST_SEED = 'gen_ai.request.seed';

/** `gen_ai.request.choice.count`. Example: `3`. Spec status: Development, Conditionally Required when ≠ 1. */
export const ATTR_GEN_AI_REQUEST_CHOICE_COUNT = 'gen_ai.request.choice.count';

/** `gen_ai.output.type`: requested output type. Example: `text`, `json`. Spec status: Development. */
export const ATTR_GEN_AI_OUTPUT_TYPE = 'gen_ai.output.type';

/** `gen_ai.conversation.id`. Example: `conv_5j66UpCpwteGg4YSxUnt7lPY`. Spec status: Development. */
export const ATTR_GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id';

// ---------------------------------------------------------------------------------------------
// GenAI usage
// ---------------------------------------------------------------------------------------------

/** `gen_ai.usage.input_tokens`: all input tokens, cached ones included. Example: `100`. Spec status: Development, Recommended. */
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';

/** `gen_ai.usage.output_tokens`: output tokens, reasoning ones included. Example: `180`. Spec status: Development, Recommended. */
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';

/** `gen_ai.usage.cache_read.input_tokens`: input tokens served from cache. Example: `50`. Spec status: Development, since v1.40.0. */
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';

/**
 * `gen_ai.usage.cache_creation.input_tokens`: input tokens written to cache. Example: `25`.
 * Spec status: Development, v1.40.0 name (the GenAI repo renamed it to `gen_ai.usage.cache_write.input_tokens`).
 */
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens';

/** `gen_ai.usage.cache_write.input_tokens`: the GenAI-repo name for cache-creation tokens. Example: `25`. Spec status: Development (GenAI repo PR #440). */
export const ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS = 'gen_ai.usage.cache_write.input_tokens';

/** `gen_ai.usage.reasoning.output_tokens`: reasoning tokens, included in output tokens. Example: `50`. Spec status: Development, since v1.41.0. */
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';

/** `gen_ai.token.type`: metric dimension, `input` or `output`. Spec status: Development. */
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';

// ---------------------------------------------------------------------------------------------
// GenAI agents and tools
// ---------------------------------------------------------------------------------------------

/** `gen_ai.agent.name`. Example: `Math Tutor`. Spec status: Development. */
export const ATTR_GEN_AI_AGENT_NAME = 'gen_ai.agent.name';

/** `gen_ai.agent.id`. Example: `asst_5j66UpCpwteGg4YSxUnt7lPY`. Spec status: Development. */
export const ATTR_GEN_AI_AGENT_ID = 'gen_ai.agent.id';

/** `gen_ai.tool.name`. Example: `get_weather`. Spec status: Development, Required on execute_tool spans. */
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name';

/** `gen_ai.tool.call.id`. Example: `call_mszuSIzqtI65i1wAUOE8w5H4`. Spec status: Development. */
export const ATTR_GEN_AI_TOOL_CALL_ID = 'gen_ai.tool.call.id';

/** `gen_ai.tool.type`. Example: `function`. Spec status: Development. */
export const ATTR_GEN_AI_TOOL_TYPE = 'gen_ai.tool.type';

/** `gen_ai.input.messages` (opt-in content). Spec status: Development, Opt-In. */
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';

/** `gen_ai.output.messages` (opt-in content). Spec status: Development, Opt-In. */
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';

/** `gen_ai.system_instructions` (opt-in content). Spec status: Development, Opt-In. */
export const ATTR_GEN_AI_SYSTEM_INSTRUCTIONS = 'gen_ai.system_instructions';

// ---------------------------------------------------------------------------------------------
// General conventions
// ---------------------------------------------------------------------------------------------

/** `server.address`: host the client talked to. Example: `openrouter.ai`. Spec status: Stable. */
export const ATTR_SERVER_ADDRESS = 'server.address';

/** `server.port`: port the client talked to. Example: `443`. Spec status: Stable. */
export const ATTR_SERVER_PORT = 'server.port';

/** `error.type`: low-cardinality error class. Example: `429`, `timeout`, `_OTHER`. Spec status: Stable. */
export const ATTR_ERROR_TYPE = 'error.type';

/**
 * `cloud.region`: the region that served the call, when really known (AWS code, Azure name
 * lower-cased without spaces, GCP location). Example: `westeurope`. Spec status: Development.
 */
export const ATTR_CLOUD_REGION = 'cloud.region';

/**
 * `aws.region`: the region the AWS SDK client targets. Example: `us-east-1`. Spec status: not in
 * semconv (the aws-sdk instrumentation emitted it before v0.54.0); kept because dashboards query it.
 */
export const ATTR_AWS_REGION = 'aws.region';

// ---------------------------------------------------------------------------------------------
// servedby route extension (`gen_ai.route.*`; no spec defines gateway attributes yet)
// ---------------------------------------------------------------------------------------------

/** `gen_ai.route.gateway`: the routing layer the code talked to; unset for a direct call. Example: `openrouter`. Spec status: servedby extension. */
export const ATTR_GEN_AI_ROUTE_GATEWAY = 'gen_ai.route.gateway';

/** `gen_ai.route.upstream`: the provider that actually served the call. Example: `together`. Spec status: servedby extension. */
export const ATTR_GEN_AI_ROUTE_UPSTREAM = 'gen_ai.route.upstream';

/**
 * `gen_ai.route.upstreams`: on agent, chain and tool spans, the distinct upstreams their model
 * calls used (string array). Example: `["aws.bedrock","openai"]`. Spec status: servedby extension.
 */
export const ATTR_GEN_AI_ROUTE_UPSTREAMS = 'gen_ai.route.upstreams';

/** `gen_ai.route.path`: every hop in order, gateway first, model vendor last (string array). Example: `["litellm","aws.bedrock","anthropic"]`. Spec status: servedby extension. */
export const ATTR_GEN_AI_ROUTE_PATH = 'gen_ai.route.path';

/** `gen_ai.route.deployment`: the deployment that served. Example: `gpt-4o-eastus`. Spec status: servedby extension. */
export const ATTR_GEN_AI_ROUTE_DEPLOYMENT = 'gen_ai.route.deployment';

/** `gen_ai.route.request_id`: request id of the system the code talked to. Example: `gen-1780944464-aVi4x8Mw2aEBGnCL6z99`. Spec status: servedby extension. */
export const ATTR_GEN_AI_ROUTE_REQUEST_ID = 'gen_ai.route.request_id';

/** `gen_ai.route.attempts`: attempts the gateway made, when it says so. Example: `2`. Spec status: servedby extension. */
export const ATTR_GEN_AI_ROUTE_ATTEMPTS = 'gen_ai.route.attempts';

/** `gen_ai.route.fallback`: `true` when the serving upstream is not the gateway's first plan. Example: `true`. Spec status: servedby extension. */
export const ATTR_GEN_AI_ROUTE_FALLBACK = 'gen_ai.route.fallback';

/** `gen_ai.route.region_scope`: the geography a call may have been served in. Example: `us`. Spec status: servedby extension. */
export const ATTR_GEN_AI_ROUTE_REGION_SCOPE = 'gen_ai.route.region_scope';

/** `gen_ai.route.evidence`: signals that decided, strongest first (string array). Example: `["body.provider","header.x-generation-id"]`. Spec status: servedby extension. */
export const ATTR_GEN_AI_ROUTE_EVIDENCE = 'gen_ai.route.evidence';

/**
 * `gen_ai.route.policy`: the routing preferences the request carried, canonical JSON (keys sorted,
 * at most 512 characters, never a secret). Example: `{"provider":{"allow_fallbacks":true,"order":["anthropic"]}}`.
 * Spec status: servedby extension (DESIGN.md §2.6).
 */
export const ATTR_GEN_AI_ROUTE_POLICY = 'gen_ai.route.policy';

/** `gen_ai.route.policy_hash`: first 16 hex digits of the SHA-256 of the canonical policy. Example: `3f2a9c0d41be77e0`. Spec status: servedby extension (DESIGN.md §2.6). */
export const ATTR_GEN_AI_ROUTE_POLICY_HASH = 'gen_ai.route.policy_hash';

/** `gen_ai.route.cache_hit`: `true` when the gateway answered from its own cache (no upstream served). Example: `true`. Spec status: servedby extension (DESIGN.md §2.6). */
export const ATTR_GEN_AI_ROUTE_CACHE_HIT = 'gen_ai.route.cache_hit';

/** `gen_ai.route.error_source`: on a refused call, `gateway` (its own limit, budget, auth) or `upstream` (a relayed error). Example: `gateway`. Spec status: servedby extension (DESIGN.md §2.6). */
export const ATTR_GEN_AI_ROUTE_ERROR_SOURCE = 'gen_ai.route.error_source';

/**
 * `gen_ai.usage.cost`: what the gateway says the call cost, in USD; never computed from a price
 * list. Example: `0.00042`. Spec status: servedby extension (DESIGN.md §2.6); the name several
 * gateways' own OTel exports use (Cloudflare AI Gateway, Bifrost).
 */
export const ATTR_GEN_AI_USAGE_COST = 'gen_ai.usage.cost';

// ---------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------

/**
 * Histogram `gen_ai.client.cost`, unit `USD`: what the gateway says each call cost (`gen_ai.usage.cost`),
 * with the route dimensions. Spec status: servedby extension (no semconv cost metric exists yet).
 */
export const METRIC_GEN_AI_CLIENT_COST = 'gen_ai.client.cost';

/** Histogram `gen_ai.client.operation.duration`, unit `s`. Spec status: Development (semconv v1.41.0). */
export const METRIC_GEN_AI_CLIENT_OPERATION_DURATION = 'gen_ai.client.operation.duration';

/** Histogram `gen_ai.client.token.usage`, unit `{token}`, dimension `gen_ai.token.type`. Spec status: Development (semconv v1.41.0). */
export const METRIC_GEN_AI_CLIENT_TOKEN_USAGE = 'gen_ai.client.token.usage';

/** Histogram `gen_ai.client.operation.time_to_first_chunk`, unit `s`. Spec status: Development (semconv v1.41.0). */
export const METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK = 'gen_ai.client.operation.time_to_first_chunk';

/** Explicit bucket boundaries (seconds) the spec advises for `gen_ai.client.operation.duration`. */
export const GEN_AI_CLIENT_OPERATION_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
]);

/** Explicit bucket boundaries (tokens) the spec advises for `gen_ai.client.token.usage`. */
export const GEN_AI_CLIENT_TOKEN_USAGE_BUCKETS: readonly number[] = Object.freeze([
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
]);

// ---------------------------------------------------------------------------------------------
// Well-known values
// ---------------------------------------------------------------------------------------------

/** `gen_ai.token.type` value for input tokens. */
export const GEN_AI_TOKEN_TYPE_VALUE_INPUT = 'input';

/** `gen_ai.token.type` value for output tokens. */
export const GEN_AI_TOKEN_TYPE_VALUE_OUTPUT = 'output';

/** Environment variable that selects the latest experimental GenAI conventions. */
export const OTEL_SEMCONV_STABILITY_OPT_IN = 'OTEL_SEMCONV_STABILITY_OPT_IN';

/** Value of `OTEL_SEMCONV_STABILITY_OPT_IN` that means "emit `gen_ai.provider.name` only". */
export const GEN_AI_LATEST_EXPERIMENTAL = 'gen_ai_latest_experimental';
