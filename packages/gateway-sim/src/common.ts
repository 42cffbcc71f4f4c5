import type { Exchange } from './exchange';
import type { Random } from './random';
import type { BroadcastExporter } from './broadcast';
import type { GatewayRefusal, SimScenario, SimTarget } from './types';

/** Everything a target handler knows about the request beyond the exchange itself. */
export interface TargetContext {
  target: SimTarget;
  scenario: SimScenario;
  random: Random;
  /** Virtual clock, epoch ms. */
  now: number;
  /** The upstream chosen by the scenario (explicit, timeline or mix); undefined means the target's default. */
  chosenUpstream?: string;
  /** Upstreams that fail every attempt at this request's time (scenario and timeline `down`). */
  down: string[];
  /** Records the upstream the response reports, for {@link GatewaySim.requests}. */
  reportUpstream(upstream: string): void;
  /** The gateway's own span exporter, when the simulator was started with `otlpEndpoint`. */
  broadcast?: BroadcastExporter;
}

/** A handler for one target's path prefix; `path` is relative to the prefix. */
export type TargetHandler = (exchange: Exchange, context: TargetContext, path: string) => Promise<void>;

/** The kinds of error every target can answer in its own wire format. */
export type ErrorKind =
  | 'malformed_json'
  | 'missing_messages'
  | 'missing_model'
  | 'unknown_model'
  | 'not_found'
  | 'rate_limit'
  | 'unavailable'
  | 'server_error';

/** Sends a target's error response for one kind. */
export type ErrorResponder = (kind: ErrorKind, detail?: string) => void;

/** Sends a refusal the gateway produced itself (see {@link GatewayRefusal}). */
export type RefusalResponder = (refusal: GatewayRefusal) => void;

const GATEWAY_REFUSALS: ReadonlySet<string> = new Set<GatewayRefusal>(['gateway_rate_limit', 'insufficient_credits', 'budget_exceeded']);

/** True for the failures a gateway sends itself rather than relays. */
export function isGatewayRefusal(failure: string | undefined): failure is GatewayRefusal {
  return failure !== undefined && GATEWAY_REFUSALS.has(failure);
}

/** A table lookup by own key only: `constructor` or `__proto__` from a request are unknown names, not `Object`'s. */
export function ownValue<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Model names that simulate "the service does not know this model". */
export function isUnknownModel(model: string): boolean {
  return /(^|[-/.:])(unknown|nonexistent|does-not-exist)/i.test(model);
}

/** Parses the request body as a JSON object, or undefined when it is not one. */
export function parseJsonObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Plays the scenario's failure, if any, and says whether it did. `midstream_error` only applies
 * to streams; a non-streaming request meets a server error instead.
 */
export async function applyFailure(
  exchange: Exchange,
  context: TargetContext,
  respondError: ErrorResponder,
  streaming: boolean,
): Promise<boolean> {
  const failure = context.scenario.failure;
  if (!failure) return false;
  if (failure === 'midstream_error' && streaming) return false;
  await exchange.sleep(context.scenario.latency?.firstByteMs ?? 0);
  if (isGatewayRefusal(failure)) {
    // Reached only by a service with no refusal of its own (a direct provider): its plain 429.
    respondError('rate_limit');
    return true;
  }
  switch (failure) {
    case 'reset':
      exchange.reset();
      return true;
    case 'hang':
      await exchange.closed;
      return true;
    case 'rate_limit':
      respondError('rate_limit');
      return true;
    case 'unavailable':
      respondError('unavailable');
      return true;
    default:
      respondError('server_error');
      return true;
  }
}

/**
 * Plays a gateway-side refusal, if the scenario asks for one: the gateway answers before any
 * routing, so no upstream is reported. Gateways call this before {@link applyFailure}.
 */
export async function applyGatewayRefusal(exchange: Exchange, context: TargetContext, refuse: RefusalResponder): Promise<boolean> {
  const failure = context.scenario.failure;
  if (!isGatewayRefusal(failure)) return false;
  await exchange.sleep(context.scenario.latency?.firstByteMs ?? 0);
  refuse(failure);
  return true;
}

/** A JSON error response builder shared by the targets: status, headers, body. */
export function sendJson(
  exchange: Exchange,
  status: number,
  headers: Record<string, string>,
  body: unknown,
): void {
  exchange.respond(status, { 'Content-Type': 'application/json', ...headers }, JSON.stringify(body));
}

/**
 * Sends a complete (non-streamed) answer after the scenario's first-byte delay. `prelude`
 * (OpenRouter's keep-alive whitespace) goes out before the delay, as the real gateway does.
 */
export async function sendAnswer(
  exchange: Exchange,
  context: TargetContext,
  headers: Record<string, string>,
  body: string | Buffer,
  prelude?: string,
): Promise<void> {
  const delay = context.scenario.latency?.firstByteMs ?? 0;
  if (prelude === undefined) {
    await exchange.sleep(delay);
    exchange.respond(200, headers, body);
    return;
  }
  exchange.open(200, headers);
  exchange.write(prelude);
  await exchange.sleep(delay);
  exchange.write(body);
  exchange.end();
}

/** The chunks of a streamed answer and how it ends. */
export interface StreamPlan {
  headers: Record<string, string>;
  /** Written at once, before the first-byte delay (OpenRouter `: OPENROUTER PROCESSING`). */
  prelude?: Array<string | Buffer>;
  events: Array<string | Buffer>;
  /** Written after the events on success (`data: [DONE]`). */
  trailer?: Array<string | Buffer>;
  /** Written instead of the second half of the events on `midstream_error`. */
  errorEvents?: Array<string | Buffer>;
}

/** Streams a plan with the scenario's latency, stopping early if the client goes away. */
export async function sendStream(exchange: Exchange, context: TargetContext, plan: StreamPlan): Promise<void> {
  const latency = context.scenario.latency ?? {};
  exchange.open(200, plan.headers);
  for (const chunk of plan.prelude ?? []) exchange.write(chunk);
  await exchange.sleep(latency.firstByteMs ?? 0);
  const failMidway = context.scenario.failure === 'midstream_error';
  const cut = failMidway ? Math.max(1, Math.ceil(plan.events.length / 2)) : plan.events.length;
  for (let index = 0; index < cut; index += 1) {
    if (index > 0) await exchange.sleep(latency.chunkDelayMs ?? 0);
    if (!exchange.write(plan.events[index]!)) return;
  }
  const tail = failMidway ? (plan.errorEvents ?? []) : (plan.trailer ?? []);
  for (const chunk of tail) exchange.write(chunk);
  exchange.end();
}

/** Seconds since the epoch, as OpenAI-style `created` fields. */
export function epochSeconds(milliseconds: number): number {
  return Math.floor(milliseconds / 1000);
}
