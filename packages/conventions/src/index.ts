export type {
  AzureTarget,
  BedrockModelId,
  HeadersLike,
  RouteAttribution,
  RouteObservation,
  SemconvMode,
  ServedbyOptions,
} from './types';

/** Package version, used as the instrumentation scope version. */
export const VERSION = '0.1.0';

// derivation
export * from './semconv';
export { deriveRoute, MAX_ROUTE_VALUE_LENGTH } from './derive-route';
export { routeAttributes } from './route-attributes';
export { parseBedrockModelId, BEDROCK_GEOGRAPHIES } from './bedrock-model-id';
export { parseAzureUrl } from './azure-url';
export {
  normalizeProvider,
  foldProviderName,
  modelVendor,
  isIndependentGateway,
  INDEPENDENT_GATEWAYS,
  MULTI_VENDOR_CLOUDS,
  type ProviderNameSource,
} from './providers';
export { createHeaderLookup, readHeader, type HeaderLookup } from './headers';
export { readBodyFacts, readBodyObjects, type BodyFacts } from './body';
// end derivation
