export type {
  GatewayPropagationOptions,
  AzureTarget,
  BedrockModelId,
  HeadersLike,
  ProviderNameMode,
  RouteAttribution,
  RouteObservation,
  SemconvMode,
  ServedbyOptions,
} from './types';

export { VERSION } from './version';

// derivation
export * from './semconv';
export { deriveRoute, MAX_POLICY_LENGTH, MAX_ROUTE_VALUE_LENGTH } from './derive-route';
export { routeAttributes, type RouteAttributeOptions } from './route-attributes';
export { RULES } from './rules/registry';
export {
  DECIDING_KINDS,
  mayDecide,
  SIGNAL_STRENGTH,
  type HeaderFingerprint,
  type HopFacts,
  type HopPosition,
  type HopSignal,
  type ModelSignal,
  type Recognition,
  type RequestFacts,
  type RouteRule,
  type RuleContext,
  type RuleRole,
  type Signal,
  type SignalKind,
} from './rules/rule';
export { sanitizeUrl, splitUrl, type UrlParts } from './shared/url';
export { createBoundedMemo, type BoundedMemo } from './shared/memo';
export { parseBedrockModelId, BEDROCK_GEOGRAPHIES } from './bedrock-model-id';
export { parseAzureUrl } from './azure-url';
export {
  normalizeProvider,
  foldProviderName,
  modelVendor,
  modelOperation,
  isIndependentGateway,
  INDEPENDENT_GATEWAYS,
  MULTI_VENDOR_CLOUDS,
  type ProviderNameSource,
} from './providers';
export { createHeaderLookup, readHeader, type HeaderLookup } from './headers';
export { readBodyFacts, readBodyObjects, type BodyFacts } from './body';
// end derivation

// runtime
export {
  errorTypeOf,
  modelCallAttributes,
  serverOfUrl,
  modelSpanName,
  resolveInstrumentation,
  setRouteOnSpan,
  type InstrumentationScope,
  type ModelCallInfo,
  type ResolvedInstrumentation,
  type TokenUsage,
} from './instrumentation';
export {
  chooseResponseModel,
  recordModelCall,
  type ModelCallObservation,
  type RecordedModelCall,
  type RecordSettings,
} from './record-model-call';
export {
  contextWithUpstreamsCollector,
  createUpstreamsCollector,
  reportUpstream,
  type UpstreamsCollector,
} from './upstreams';
export { createRouteMetrics, type RouteMetrics, type RouteMetricsRecord } from './metrics';
export {
  captureRouteFetch,
  DEFAULT_LOOK_AHEAD_BYTES,
  runWithRouteCapture,
  type CaptureRouteFetchOptions,
  type RouteCapture,
  type RouteCaptureSink,
} from './capture-route-fetch';
export { releasableCaptureSink, type ReleasableCaptureSink } from './capture/storage';
export { errorMessageOf, exceptionForSpan, scrubErrorMessage } from './error-message';
export { beforeSpanEnds } from './before-span-ends';
export {
  addRouteCaptureResolver,
  enableRouteCapture,
  routeCaptureSettings,
  routeCaptureSupport,
  type RouteCaptureOptions,
  type RouteCaptureResolver,
  type RouteCaptureSettings,
  type RouteCaptureSupport,
} from './capture/observer';
export { DEFAULT_IDLE_TIMEOUT_MS } from './capture/exchange';
export {
  createRouteSpanProcessor,
  RouteSpanProcessor,
  type EndingSpan,
  type RouteSpanProcessorOptions,
} from './route-span-processor';
// end runtime
