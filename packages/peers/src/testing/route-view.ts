import type { Attributes } from '@opentelemetry/api';

// The attributes servedby may add or fill; everything else on a peer span is the peer's.
const ROUTE_KEYS = ['gen_ai.system', 'gen_ai.provider.name', 'gen_ai.response.model', 'cloud.region', 'aws.region'];

/**
 * The route view of a span: every `gen_ai.route.*` attribute plus the system, response model and
 * region attributes, so a test can assert the whole set with `toEqual` (an attribute that must be
 * absent is then really absent).
 */
export function routeView(attributes: Attributes): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (key.startsWith('gen_ai.route.') || ROUTE_KEYS.includes(key)) view[key] = value;
  }
  return view;
}
