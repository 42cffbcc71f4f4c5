/**
 * The one interface every gateway, cloud and provider rule implements (DESIGN.md §2.7).
 *
 * A rule says how its system is recognised (hosts, headers, body fields), how it expands into a
 * hop (upstream, served model, request id, deployment, region, attempts, fallback, cost, cache
 * hit, error source) and how its own provider names map into the vocabulary. The walker in
 * `derive-route.ts` runs the rules of `registry.ts`; it knows no rule by name.
 */
import type { BodyFacts } from '../body';
import type { SizedHeaderLookup } from '../headers';
import type { JsonObject } from '../shared/json';

/**
 * What kind of signal a fact is. Only the kinds in {@link DECIDING_KINDS} may set
 * `gen_ai.route.upstream` on their own; the others may name the system the code talked to, or
 * support a deciding signal, but never decide who served.
 */
export type SignalKind =
  /** An explicit served-by field or header of a recognised gateway (§2.4 level 1). Decides. */
  | 'served-by'
  /** A deployment or routing signal of a recognised gateway: api-base host, pass-through headers, a provider-specific endpoint or host the gateway documents (§2.4 level 2). Decides. */
  | 'deployment'
  /**
   * The request's own routing directive to a recognised gateway, as that gateway documents it: a
   * provider path segment (`/v1/{account}/{gateway}/openai/…`), a `:provider` model suffix, a
   * provider-specific host (`oai.helicone.ai`). Request side (§2.4 level 4), but it decides: the
   * gateway sends the call exactly there.
   */
  | 'gateway-route'
  /** A response fingerprint unique to one system (header or body field only it sends) (§2.4 level 3). Decides. */
  | 'fingerprint'
  /** A value shape that usually means one system (`req_…` request ids). Decides, but loses to a unique fingerprint. */
  | 'fingerprint-shape'
  /** The host of a system's own API (a direct provider's, a cloud's or a gateway's own host). Decides. */
  | 'provider-host'
  /** A multi-vendor cloud's model ID, read on that cloud's own host or with its own response headers. Decides the vendor. */
  | 'cloud-model-id'
  /** A served model read from the response body (`body.model`): names a model, decides nothing about the route. */
  | 'response-field'
  /** A URL path shape (`/model/{id}/converse`, `/openai/deployments/{d}`) on a host no rule owns. Never decides. */
  | 'path-shape'
  /** A model-name prefix (`anthropic/…`) on a gateway, or a model family. Never decides. */
  | 'model-prefix'
  /** A provider label another instrumentation wrote (`gen_ai.system = "openai"` from OpenLLMetry). Never decides. */
  | 'client-label'
  /** The framework's provider hint (`ChatOpenAI`, `openai.chat`). Never decides. */
  | 'framework-hint'
  /** Facts of a request that got no response at all. Never decides. */
  | 'no-response';

/** Signal kinds that may set the upstream on their own (DESIGN.md §2.7). */
export const DECIDING_KINDS: ReadonlySet<SignalKind> = new Set<SignalKind>([
  'served-by',
  'deployment',
  'fingerprint',
  'fingerprint-shape',
  'provider-host',
  'cloud-model-id',
  'gateway-route',
]);

/**
 * Strength of each kind, 1 strongest: orders `gen_ai.route.evidence` (§2.4) and decides which
 * of two competing signals wins. Equal strengths keep the order the signals were found in.
 */
export const SIGNAL_STRENGTH: Readonly<Record<SignalKind, number>> = Object.freeze({
  'served-by': 1,
  deployment: 2,
  'response-field': 2,
  fingerprint: 3,
  'fingerprint-shape': 3.5,
  'provider-host': 4,
  'gateway-route': 4,
  'cloud-model-id': 4,
  'path-shape': 4,
  'model-prefix': 4,
  'framework-hint': 4,
  'client-label': 5,
  'no-response': 6,
});

/** `true` when a signal of this kind may set the upstream on its own. */
export function mayDecide(kind: SignalKind | undefined): boolean {
  return kind !== undefined && DECIDING_KINDS.has(kind);
}

/** One observed fact: its evidence name (`body.provider`, `header.x-kong-llm-model`, `url`, `model_id`, `config`) and kind. */
export interface Signal {
  /** Evidence name as `gen_ai.route.evidence` carries it. */
  name: string;
  /** What kind of signal it is. */
  kind: SignalKind;
}

/** A provider named by a signal: the next hop behind a gateway or cloud. */
export interface HopSignal {
  /** Provider id in the servedby vocabulary (`openrouter`, `aws.bedrock`, `together`). */
  provider: string;
  /** The signal that named it. */
  signal: Signal;
}

/** A model named by a signal. */
export interface ModelSignal {
  /** The model id as served. */
  value: string;
  /** The signal that named it. */
  signal: Signal;
}

/** The request side of one call, bounded and secret-free (see `RouteObservation.request`). */
export interface RequestFacts {
  /** The request body as a JSON object, when it was one and at most 1 MiB. */
  body?: JsonObject;
  /** Request headers; secrets are never read from them. */
  headers: SizedHeaderLookup;
}

/**
 * Everything a rule may read about one call. Built once per `deriveRoute` call, bounded.
 * Rules only read it (and may remember per-call parses through {@link RuleContext.once}).
 */
export interface RuleContext {
  /** Lower-case request host without port, when a URL was given. */
  readonly host?: string;
  /** Request path without query, at most 4096 characters (`''` when unknown). */
  readonly pathname: string;
  /** The URL as given; only for parsers that need the `api-version` query parameter. */
  readonly rawUrl?: string | URL;
  /** Response headers, lower-case names. */
  readonly headers: SizedHeaderLookup;
  /** Route facts read from the response body (bounded to 1 MiB before parsing). */
  readonly body: BodyFacts;
  /** AI SDK `providerMetadata`, when the framework had it. */
  readonly metadata?: JsonObject;
  /** The model as the code sent it. */
  readonly requestModel?: string;
  /** The served model as the framework parsed it from a response whose body was not kept (a response field). */
  readonly responseModel?: string;
  /** The configured client region (AWS SDK). */
  readonly region?: string;
  /** HTTP status, when known. */
  readonly status?: number;
  /** `false` when the request got no response at all (no status, headers, body or metadata). */
  readonly responded: boolean;
  /** The request body and headers (for routing policy). */
  readonly request: RequestFacts;
  /** Remembers a per-call parse (one Azure URL parse per call, whichever rule asks first). */
  once<T>(key: string, compute: () => T): T;
  /**
   * The system whose header fingerprints (every rule's `fingerprints`) the response carries,
   * optionally behind a pass-through prefix (LiteLLM's `llm_provider-`). Unique fingerprints
   * beat value shapes; among equals the registry order holds.
   */
  headerFingerprint(prefix?: string): HopSignal | undefined;
  /** The system whose body fingerprint (every rule's `bodyFingerprint`) the response body carries. */
  bodyFingerprint(): HopSignal | undefined;
  /** The gateway a response body names (a rule whose `recognise` answers from `body` or `metadata`). */
  bodyGateway(): HopSignal | undefined;
  /** Id of the system whose own API host this is (`api.openai.com` → `openai`), for hosts a gateway reports. */
  systemOfHost(host: string): string | undefined;
}

/** Where a hop stands in the route. */
export interface HopPosition {
  /** `true` for the system the code talked to; only it may read the request URL, model and the response headers as its own. */
  outer: boolean;
  /** For a hop behind a gateway: the model id the gateway says it sent on (`bedrock/us.anthropic.…` → `us.anthropic.…`). */
  vendorModel?: string;
  /** The id this hop stands for: the rule's `id` or one of its `alsoExpands`. */
  system?: string;
}

/** What a hop reveals. Every field is optional; the walker keeps the outermost value of each. */
export interface HopFacts {
  /** The next hop: the provider this system sent the call to. */
  next?: HopSignal;
  /** The model actually served. */
  responseModel?: ModelSignal;
  /** A model id that names the vendor when the next hop is a multi-vendor cloud. */
  vendorModel?: string;
  /** `gen_ai.route.request_id` (outer hop only). */
  requestId?: string;
  /** `gen_ai.route.deployment`. */
  deployment?: string;
  /** `cloud.region`: the region that really served. */
  region?: string;
  /** `aws.region`: the AWS client region. */
  awsRegion?: string;
  /** `gen_ai.route.region_scope`: the geography (`us`, `eu`, `global`). */
  regionScope?: string;
  /** `gen_ai.route.attempts`. */
  attempts?: number;
  /** `gen_ai.route.fallback`. */
  fallback?: boolean;
  /** `gen_ai.request.model` when the code's own value is missing (Azure deployment from the URL). */
  requestModel?: string;
  /** `gen_ai.usage.cost` in USD, as this gateway reports it. */
  cost?: number;
  /** `gen_ai.route.cache_hit`: this system answered from its own cache; no upstream served. */
  cacheHit?: boolean;
  /** `gen_ai.route.error_source`: on a failed call, who refused it. */
  errorSource?: 'gateway' | 'upstream';
  /** `true` when this hop rewrites body `model` to the caller's alias: inner hops' body models then say nothing. */
  rewritesBodyModel?: boolean;
  /** Extra evidence the hop relied on (a cache-status header, a rate-limit header). */
  evidence?: Signal[];
}

/** A response header that identifies a system (§2.4 level 3). */
export interface HeaderFingerprint {
  /** Lower-case header name, or name prefix when `prefix` is set. */
  header: string;
  /** Match any header whose name starts with `header`. */
  prefix?: boolean;
  /** The value must match (request-id shapes). */
  value?: RegExp;
  /** `fingerprint` (unique header; the default) or `fingerprint-shape` (a value shape). */
  kind?: 'fingerprint' | 'fingerprint-shape';
  /** Evidence name without the `header.` prefix, when not the header name itself. */
  signal?: string;
}

/** How a system is recognised as the one the code talked to. */
export interface Recognition {
  /** The signal that recognised it. */
  signal: Signal;
  /** Where the signal sits: the outermost hop writes the headers; bodies pass through gateways. */
  source: 'url' | 'header' | 'body' | 'metadata';
  /** A sibling system the same rule stands for (`azure.ai.inference` on Foundry `/models` routes). */
  system?: string;
}

/** The role a system plays in a route (DESIGN.md §2.3). */
export type RuleRole =
  /** An independent gateway: its upstream is the first hop behind it that is not a gateway. */
  | 'gateway'
  /** A multi-vendor cloud: its upstream is the model vendor. */
  | 'cloud'
  /** A provider reached directly: it is its own upstream. */
  | 'provider';

/**
 * One gateway, cloud or provider. Implement it in `src/rules/<id>/<id>.ts` and add one line to
 * `registry.ts`. Everything is optional except `id`, `role` and `expand`.
 */
export interface RouteRule {
  /** Id in the servedby vocabulary (`openrouter`, `aws.bedrock`, `mistral_ai`). */
  readonly id: string;
  /** Other ids this rule also expands (`azure.ai.inference` beside `azure.ai.openai`). */
  readonly alsoExpands?: readonly string[];
  /** Gateway, multi-vendor cloud or direct provider. */
  readonly role: RuleRole;
  /** Host suffixes of the system's own API: the host itself or any subdomain matches. */
  readonly hosts?: readonly string[];
  /** Host patterns a suffix cannot express (`bedrock-runtime.{region}.amazonaws.com`). */
  matchesHost?(host: string): boolean;
  /** The system this rule stands for in this call when it has siblings (Azure OpenAI vs Foundry `/models`); defaults to `id`. */
  systemOf?(context: RuleContext): string | undefined;
  /** Response headers only this system sends; used to recognise it and to name it behind a gateway. */
  readonly fingerprints?: readonly HeaderFingerprint[];
  /** Response-side recognition beyond hosts and header fingerprints (gateway headers, body fields). */
  recognise?(context: RuleContext): Recognition | undefined;
  /** Body fingerprints that name this system behind a gateway (`x_groq`, `msg_bdrk_`). */
  bodyFingerprint?(body: BodyFacts): Signal | undefined;
  /** Framework hints this rule answers to (`ChatOpenAI` → `openai`): lower-case hint names or prefixes. */
  readonly hints?: readonly string[];
  /**
   * Facts this system leaves in a response wherever it stands in the route (Anthropic's
   * `usage.inference_geo`, Fireworks' `fireworks-deployment`): applied when no hop set them.
   */
  ambient?(context: RuleContext): Pick<HopFacts, 'regionScope' | 'deployment' | 'region'> | undefined;
  /** What this hop reveals about itself and the next hop. */
  expand(context: RuleContext, position: HopPosition): HopFacts;
  /** Provider names as this system spells them, folded (see `foldProviderName`) → vocabulary id. */
  readonly names?: ReadonlyMap<string, string>;
  /** Routing preferences the request carried (DESIGN.md §2.6 `gen_ai.route.policy`), secret-free. */
  policy?(request: RequestFacts, context: RuleContext): JsonObject | undefined;
  /**
   * The top-level request body keys `policy` reads, when it reads nothing else (no headers): a
   * request body whose text names none of them is not parsed for the policy at all.
   */
  readonly policyKeys?: readonly string[];
}
