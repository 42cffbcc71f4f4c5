import type { MeterProvider, TracerProvider } from '@opentelemetry/api';

/**
 * Response headers in any of the shapes frameworks hand them over: a WHATWG `Headers`, a plain
 * object (values may be arrays, as Node's `IncomingHttpHeaders`), or a list of entries.
 * Lookups are always case-insensitive.
 */
export type HeadersLike =
  | Headers
  | Record<string, string | string[] | number | undefined | null>
  | Iterable<readonly [string, string]>;

/**
 * Raw facts about one LLM call, collected by a plugin's hook. Every field is optional:
 * `deriveRoute` uses what is there and never guesses what is not.
 */
export interface RouteObservation {
  /** Request URL, or the client's base URL. Query strings are never recorded. */
  url?: string | URL;
  /** The model as sent: Bedrock `modelId`, body `model`, Azure deployment name. */
  requestModel?: string;
  /** Response headers; case-insensitive. */
  responseHeaders?: HeadersLike;
  /** Parsed JSON, raw JSON text (leading whitespace allowed), or raw SSE text (`data: …` lines). */
  responseBody?: unknown;
  /** AI SDK `providerMetadata` (`openrouter`, `gateway`, `bedrock`, …) when the framework has it. */
  providerMetadata?: Record<string, unknown>;
  /** The configured client region (AWS SDK `config.region`). */
  region?: string;
  /** What the framework calls its provider: `openai`, `amazon_bedrock`, `openai.chat`, `gateway`. */
  providerHint?: string;
  /** HTTP status of the response, when known. */
  status?: number;
  /**
   * Attempts the client itself made (AWS SDK `$metadata.attempts`, retries of the HTTP client).
   * `gen_ai.route.attempts` takes it when no gateway reports attempts of its own.
   */
  attempts?: number;
  /**
   * Whether any response arrived. `false` for a call that got none (connection refused or reset,
   * aborted before headers): then no signal decides an upstream (DESIGN.md §2.7). When omitted it
   * is inferred: a response arrived when `status`, `responseHeaders`, `responseBody` or
   * `providerMetadata` carry anything. Plugins that know the framework returned a result but saw
   * no HTTP details pass `true`.
   */
  responseReceived?: boolean;
  /**
   * A provider label another instrumentation wrote on its span (`gen_ai.system = "openai"` from
   * OpenLLMetry, `llm.provider` from OpenInference). It says which client class ran, not who
   * served: it may name the system when nothing else does, never the upstream or the gateway.
   * Use it instead of `providerHint` for labels servedby did not derive itself.
   */
  clientLabel?: string;
  /**
   * The served model as the framework parsed it from the response (AI SDK `response.modelId`,
   * LangChain `response_metadata.model_name`), for a call whose response body was not kept (a
   * stream). A response field: it names no gateway and decides no upstream on its own; a
   * multi-vendor cloud's rule reads it like its body `model` on that cloud's own host.
   */
  responseModel?: string;
  /**
   * The request as sent, for the routing policy it carries (DESIGN.md §2.6): the body (parsed
   * JSON or JSON text; text over 1 MiB is ignored) and the headers. Only routing preferences are
   * read (OpenRouter `provider` / `models` / `route`, AI Gateway `providerOptions.gateway`,
   * LiteLLM `fallbacks` / `metadata.model_group`, Portkey `x-portkey-config`); keys and
   * credentials are never recorded.
   */
  request?: { body?: unknown; headers?: HeadersLike };
}

/** Which gateway and upstream served a call, and the evidence for it. */
export interface RouteAttribution {
  /** `gen_ai.system` / `gen_ai.provider.name`: the gateway if there is one, else the provider. */
  system: string;
  /** `gen_ai.route.gateway`: the routing layer the code talked to; unset for a direct call. */
  gateway?: string;
  /** `gen_ai.route.upstream`: the provider that actually served; unset when nothing reveals it. */
  upstream?: string;
  /** `gen_ai.route.path`: every hop in order, gateway first, model vendor last when known. */
  path?: string[];
  /** `gen_ai.request.model`: the model exactly as the code asked for it. */
  requestModel?: string;
  /** `gen_ai.response.model`: the model actually served, from the most explicit signal. */
  responseModel?: string;
  /** `gen_ai.route.deployment`: Azure deployment, LiteLLM model id, Fireworks deployment. */
  deployment?: string;
  /** `cloud.region`: the region that served, when really known. */
  region?: string;
  /** `aws.region`: the region the AWS SDK client targets. */
  awsRegion?: string;
  /** `gen_ai.route.region_scope`: the geography a call may have been served in (`us`, `eu`, `global`). */
  regionScope?: string;
  /** `gen_ai.route.request_id`: the request id of the system the code talked to. */
  requestId?: string;
  /** `gen_ai.route.attempts`: attempts the gateway made, when it says so. */
  attempts?: number;
  /** `gen_ai.route.fallback`: the serving upstream is not the first one the gateway planned. */
  fallback?: boolean;
  /** `gen_ai.usage.cost`: what the gateway says the call cost, in USD; never computed from a price list. */
  cost?: number;
  /** `gen_ai.route.cache_hit`: `true` when the gateway answered from its own cache (then no upstream is set). */
  cacheHit?: boolean;
  /** `gen_ai.route.error_source`: on a refused call, who refused it: the gateway itself or an upstream it relayed. */
  errorSource?: 'gateway' | 'upstream';
  /** `gen_ai.route.policy`: the routing preferences the request carried, canonical JSON, at most 512 characters. */
  policy?: string;
  /** `gen_ai.route.policy_hash`: first 16 hex digits of the SHA-256 of the complete canonical policy. */
  policyHash?: string;
  /** `gen_ai.route.evidence`: the signals that decided, strongest first (`body.provider`, `header.x-litellm-model-name`). */
  evidence: string[];
}

/** A Bedrock model identifier taken apart (see `parseBedrockModelId`). */
export interface BedrockModelId {
  /** The identifier as given, percent-decoded. */
  raw: string;
  /** What kind of identifier it is. */
  kind:
    | 'foundation-model'
    | 'inference-profile'
    | 'application-inference-profile'
    | 'provisioned-model'
    | 'custom-model'
    | 'imported-model'
    | 'prompt-router'
    | 'marketplace-model';
  /** The model vendor in the servedby vocabulary (`anthropic`, `meta`, `amazon`, …); unset when opaque. */
  vendor?: string;
  /** Foundation model ID without geography prefix or ARN, e.g. `anthropic.claude-3-5-sonnet-20240620-v1:0`. */
  model?: string;
  /** Version suffix, e.g. `v1:0`, `v2:0:200k`. */
  version?: string;
  /** Geography of a system inference profile: `us`, `eu`, `apac`, `us-gov`, `jp`, `au`, `global`. */
  geography?: string;
  /** Region in the ARN. */
  arnRegion?: string;
  /** Account in the ARN. */
  arnAccount?: string;
  /** Resource type in the ARN (`foundation-model`, `inference-profile`, `application-inference-profile`, …). */
  arnResourceType?: string;
}

/** An Azure OpenAI / AI Foundry request target (see `parseAzureUrl`). Never carries query-string secrets. */
export interface AzureTarget {
  /** `azure.ai.openai` for OpenAI deployments and v1 routes, `azure.ai.inference` for Foundry `/models`. */
  system: 'azure.ai.openai' | 'azure.ai.inference';
  /** Which URL family: classic deployments, the v1 routes, or Foundry models. */
  route: 'deployments' | 'v1' | 'models';
  /** Resource name: the first label of the host (`myres` in `myres.openai.azure.com`). */
  resource?: string;
  /** Deployment name from `/openai/deployments/{d}/…`. */
  deployment?: string;
  /** Operation path after the deployment or version segment, e.g. `chat/completions`. */
  operation?: string;
  /** The `api-version` query parameter. */
  apiVersion?: string;
  /** Host without port. */
  host?: string;
}

/** Which attribute name carries the system: `gen_ai.system` (legacy), `gen_ai.provider.name` (latest) or both. */
export type SemconvMode = 'legacy' | 'latest' | 'both';

/**
 * Which name `gen_ai.provider.name` (and `gen_ai.system`) carry: `system` (default, the semconv
 * meaning: what the code talked to, the gateway if there is one) or `upstream` (the provider that
 * served, when known; the gateway stays in `gen_ai.route.gateway`). Most backends' provider views
 * key on `gen_ai.provider.name` (DESIGN.md §2.6).
 */
export type ProviderNameMode = 'system' | 'upstream';

/**
 * The options every servedby plugin takes. Defaults: the global tracer and meter providers,
 * `semconv: 'both'` (or `latest` when `OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental`),
 * no prompt or completion text.
 */
export interface ServedbyOptions {
  /** Tracer provider to create spans with; defaults to the global one. */
  tracerProvider?: TracerProvider;
  /** Meter provider for the route metrics; defaults to the global one. */
  meterProvider?: MeterProvider;
  /** Which system attribute names to emit. */
  semconv?: SemconvMode;
  /** Record prompt and completion text on spans. Off by default. */
  captureContent?: boolean;
  /** What `gen_ai.provider.name` / `gen_ai.system` carry on spans and metrics: `system` (default) or `upstream`. */
  providerName?: ProviderNameMode;
  /**
   * Pass the model span's trace context to the gateway, the way each gateway documents it (W3C
   * `traceparent`/`tracestate`; OpenRouter's body `trace.trace_id`/`parent_span_id` where the
   * request body passes through servedby), so the gateway's own spans join the app's trace.
   * Off by default: it changes the request. Only hosts of recognised gateways get it, plus the
   * `hosts` you name (a self-hosted LiteLLM or Kong, `host` or `host:port`).
   */
  propagateToGateways?: boolean | GatewayPropagationOptions;
}

/** Where {@link ServedbyOptions.propagateToGateways} sends the trace context besides recognised gateways' hosts. */
export interface GatewayPropagationOptions {
  /** Extra gateway hosts (`litellm.internal`, `10.0.0.5:4000`). Nothing else ever receives the context. */
  hosts?: readonly string[];
  /** The gateway each extra host is, when it speaks OpenRouter's API (`{ 'or-proxy.internal': 'openrouter' }`). */
  gatewayOfHost?: Readonly<Record<string, string>>;
}
