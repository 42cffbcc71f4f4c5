/**
 * Pydantic AI Gateway: an independent gateway (hosted at `gateway-{region}.pydantic.dev/proxy`,
 * or run anywhere). It is recognised by its own price header on every response it relays. The
 * first path segment (after `/proxy`) is a route: a provider's own route id (`openai`,
 * `anthropic`, `groq`, `google-vertex`, `bedrock`) sends the call to that provider, while any
 * other slug is a routing group that may fail over between providers and so names no upstream.
 * A unique fingerprint of the provider in the passed-through response is preferred to the route.
 * A Bedrock-shaped path on this gateway (`/bedrock/model/{id}/converse`) is the gateway's route,
 * not Bedrock Runtime: the gateway stays the system and Bedrock is the hop behind it.
 */
import { parseBedrockModelId } from '../../bedrock-model-id';
import { lookup, text } from '../../shared/json';
import { tableOf } from '../../vocabulary';
import { bodyModel, hop, pathSegments, signal } from '../helpers';
import type { HopFacts, ModelSignal, RouteRule, RuleContext } from '../rule';

/** The response header the gateway adds to every relayed call: its price estimate, `0.0002USD`. */
export const PYDANTIC_PRICE_HEADER = 'pydantic-ai-gateway-price-estimate';

/** Provider route ids (path segments, as the gateway spells them) → vocabulary; only these decide an upstream. */
export const PYDANTIC_ROUTES = tableOf({
  openai: 'openai',
  'openai-chat': 'openai',
  'openai-responses': 'openai',
  chat: 'openai',
  responses: 'openai',
  anthropic: 'anthropic',
  groq: 'groq',
  'google-vertex': 'gcp.vertex_ai',
  'google-cloud': 'gcp.vertex_ai',
  bedrock: 'aws.bedrock',
  converse: 'aws.bedrock',
});

const HOSTED = /^gateway(?:-[a-z0-9]{1,16})?\.pydantic\.(?:dev|info)$/;
const PRICE = /^\s*(\d{1,12}(?:\.\d{1,12})?)\s*USD\s*$/i;
const MAX_PATH_MODEL = 512;

/** The gateway's price estimate in USD, from `0.0002USD`; `undefined` for anything else or a rounded zero. */
export function parsePriceEstimate(value: string | undefined): number | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const match = PRICE.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  // "0.0000USD" is a cost rounded away, not a free call: say nothing rather than 0.
  return Number.isFinite(amount) && amount > 0 ? amount : undefined;
}

/** The route segment: the first path segment, after the hosted gateway's `/proxy` prefix. */
function routeOf(context: RuleContext): string | undefined {
  const segments = pathSegments(context);
  const first = segments[0] === 'proxy' ? segments[1] : segments[0];
  return first?.toLowerCase();
}

/** The model id a Bedrock-shaped route carries (`/bedrock/model/{id}/converse`), percent-decoded. */
function bedrockPathModel(context: RuleContext): string | undefined {
  const segments = pathSegments(context);
  const at = segments.indexOf('model');
  const raw = at >= 0 ? segments[at + 1] : undefined;
  if (!raw || raw.length > MAX_PATH_MODEL) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

function isPydantic(context: RuleContext): boolean {
  return context.headers.has(PYDANTIC_PRICE_HEADER) || (context.host !== undefined && HOSTED.test(context.host));
}

/** The Pydantic AI Gateway rule. */
export const pydantic: RouteRule = {
  id: 'pydantic',
  role: 'gateway',
  matchesHost: (host) => HOSTED.test(host),
  fingerprints: [{ header: PYDANTIC_PRICE_HEADER }],
  hints: ['pydantic_ai_gateway'],
  recognise(context) {
    if (!context.headers.has(PYDANTIC_PRICE_HEADER)) return undefined;
    return { signal: signal(`header.${PYDANTIC_PRICE_HEADER}`, 'fingerprint'), source: 'header' };
  },
  expand(context) {
    const result: HopFacts = {};
    if (!isPydantic(context)) return result;
    const route = routeOf(context);
    const routed = lookup(PYDANTIC_ROUTES, route);
    // A unique fingerprint of the provider that answered beats the route it was sent on.
    const fingerprint = context.bodyFingerprint() ?? context.headerFingerprint();
    if (fingerprint && fingerprint.provider !== 'pydantic') result.next = fingerprint;
    else if (routed) result.next = hop(routed, 'url', 'gateway-route');

    let model: ModelSignal | undefined = bodyModel(context);
    if (result.next?.provider === 'aws.bedrock') {
      const pathModel = bedrockPathModel(context);
      if (pathModel) {
        if (!context.requestModel) result.requestModel = pathModel;
        result.vendorModel = pathModel;
        const parsed = parseBedrockModelId(pathModel);
        if (!model && parsed?.model) model = { value: parsed.model, signal: signal('url', 'deployment') };
        if (parsed?.geography) result.regionScope = parsed.geography;
      }
    }
    if (model) result.responseModel = model;
    if (!result.vendorModel) result.vendorModel = model?.value ?? context.requestModel;

    const cost = parsePriceEstimate(text(context.headers.get(PYDANTIC_PRICE_HEADER)));
    if (cost !== undefined) {
      result.cost = cost;
      result.evidence = [signal(`header.${PYDANTIC_PRICE_HEADER}`, 'fingerprint')];
    }
    return result;
  },
};
