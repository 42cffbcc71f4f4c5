/** The path prefixes the simulator serves, one per gateway or provider it imitates. */
export type SimTarget = 'openrouter' | 'litellm' | 'azure' | 'bedrock' | 'vercel' | 'openai' | 'anthropic' | 'kong';

/** Every target, in the order the CLI prints them. */
export const SIM_TARGETS: readonly SimTarget[] = [
  'openrouter',
  'litellm',
  'azure',
  'bedrock',
  'vercel',
  'openai',
  'anthropic',
  'kong',
];

/** One entry of a weighted upstream mix: `weight` is relative to the other entries. */
export interface WeightedUpstream {
  /** A servedby provider id (`together`, `aws.bedrock`) or the gateway's own name (`"Together"`, `"Amazon Bedrock"`). */
  upstream: string;
  weight: number;
}

/**
 * A stretch of virtual time during which a gateway routes differently.
 * `start`/`end` are epoch milliseconds or ISO strings; `durationMs` may replace `end`.
 */
export interface TimelineSegment {
  start: number | string;
  end?: number | string;
  durationMs?: number;
  upstream?: string;
  mix?: WeightedUpstream[];
  /** Upstreams that fail every attempt during this stretch (added to the scenario's own `down`). */
  down?: string[];
}

/**
 * The failure a request should meet instead of (or, for `midstream_error`, part way through) a normal answer.
 * `rate_limit`, `unavailable` and `server_error` are the upstream's errors as the gateway relays them;
 * the rest are refusals the gateway itself sends (see {@link GatewayRefusal}).
 */
export type SimFailure = 'rate_limit' | 'unavailable' | 'server_error' | 'hang' | 'midstream_error' | 'reset' | GatewayRefusal;

/**
 * A refusal the gateway sends itself, before any upstream is called: its own rate limit
 * (OpenRouter account 429, LiteLLM key limit, Kong AI rate limiting), OpenRouter's 402 for
 * insufficient credits, LiteLLM's budget. A target without such a refusal answers a plain 429.
 */
export type GatewayRefusal = 'gateway_rate_limit' | 'insufficient_credits' | 'budget_exceeded';

/** Latency to add, in milliseconds. */
export interface SimLatency {
  /** Delay before the status line and headers (OpenRouter writes its padding / comments first). */
  firstByteMs?: number;
  /** Delay before each stream chunk after the first. */
  chunkDelayMs?: number;
}

/**
 * What one request should experience. Set per process (config), per target, per request
 * (`x-sim-scenario` header: a preset name or this object as JSON) or just the upstream
 * (`x-sim-upstream` header). Later layers override earlier ones field by field.
 */
export interface SimScenario {
  /** The upstream the gateway reports (OpenRouter `provider`, LiteLLM `x-litellm-model-name` prefix, Vercel `finalProvider`). */
  upstream?: string;
  /** A weighted mix of upstreams, drawn with the seeded random generator. */
  mix?: WeightedUpstream[];
  /** Routing that depends on the (virtual) clock; the first segment containing "now" wins over `mix`/default. */
  timeline?: TimelineSegment[];
  /** The model really served (OpenRouter permaslug, Azure `x-ms-served-model`, LiteLLM deployment model...). */
  servedModel?: string;
  /** Region: Azure `x-ms-region` display name, Anthropic `usage.inference_geo`. */
  region?: string;
  failure?: SimFailure;
  /** `Retry-After` seconds on a `rate_limit` failure (default 1). */
  retryAfterSeconds?: number;
  /**
   * For nested gateways: the upstream behind the gateway's upstream. LiteLLM routing to
   * `openrouter` passes OpenRouter's body `provider` (this name) and `gen-` id through.
   */
  innerUpstream?: string;
  /** Upstreams that failed before the one that served (LiteLLM attempted-fallbacks, Vercel attempts chain). */
  fallbackFrom?: string[];
  latency?: SimLatency;
  /** Replaces the canned text answer. */
  text?: string;
  /**
   * Upstreams that fail every attempt (servedby ids or the gateway's names). The gateway's routing
   * tries the next candidate its policy allows (OpenRouter `provider.order` / `allow_fallbacks`,
   * Vercel `providerOptions.gateway.order`, LiteLLM `fallbacks`); when none is left the upstream's
   * error is relayed.
   */
  down?: string[];
  /** HTTP status a `down` upstream answers with (default 429). */
  downStatus?: number;
  /** Kong: answer from the semantic cache (no upstream called). */
  cacheHit?: boolean;
}

/** Process-wide configuration: the CLI reads it from `--config file.json`. */
export interface SimConfig {
  /** Seed for every random choice (ids, weighted mixes); the same seed gives the same answers. */
  seed?: number;
  /** Applies to every target. */
  defaults?: SimScenario;
  /** Per-target scenario, layered over `defaults`. */
  targets?: Partial<Record<SimTarget, SimScenario>>;
  /** Named scenarios usable as `x-sim-scenario: <name>`, added to (or replacing) the built-in presets. */
  presets?: Record<string, SimScenario>;
  /** Start of the virtual clock (epoch ms or ISO). Without it the clock follows real time until `setClock`. */
  clock?: number | string;
}

/** Options of {@link startGatewaySim}. */
export interface GatewaySimOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1 (loopback only). */
  host?: string;
  config?: SimConfig;
  /** Overrides `config.seed`. */
  seed?: number;
  /**
   * OTLP/HTTP traces endpoint (`http://host:4318/v1/traces`, or a base URL `/v1/traces` is added to).
   * When set, the OpenRouter target exports Broadcast-shaped spans of every chat completion to it.
   */
  otlpEndpoint?: string;
}

/** A request the simulator answered, for tests that want to look at what the client sent. */
export interface SimRequestRecord {
  target: SimTarget;
  method: string;
  /** Path without the query string. */
  path: string;
  httpVersion: string;
  headers: Record<string, string>;
  body: string;
  /** The upstream the simulator reported, when the target reports one. */
  upstream?: string;
}

/** A running simulator. */
export interface GatewaySim {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Base URL of each target, ready for an SDK's `baseURL` / `endpoint`. */
  baseUrls: Record<SimTarget, string>;
  /** Sets the virtual clock (epoch ms, Date or ISO string) used by timeline scenarios. */
  setClock(time: number | string | Date): void;
  /** Moves the virtual clock forward. */
  advanceClock(milliseconds: number): void;
  /** The virtual clock's current time in epoch ms. */
  now(): number;
  /** Replaces the process configuration (scenarios, presets) without restarting. */
  configure(config: SimConfig): void;
  /** Requests answered so far, oldest first. */
  requests(): SimRequestRecord[];
  /** Waits until every gateway span queued so far was sent (or dropped); resolves at once without `otlpEndpoint`. */
  flushTraces(): Promise<void>;
  /** Counts of the Broadcast exporter: spans queued, sent, dropped (queue full or endpoint failing). */
  traceStats(): { queued: number; sent: number; dropped: number };
  /** Stops listening and drops every open connection (hanging requests included). */
  close(): Promise<void>;
}
