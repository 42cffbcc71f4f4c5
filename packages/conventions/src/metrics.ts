import { diag, type Attributes, type Histogram, type Meter } from '@opentelemetry/api';
import type { ProviderNameMode, RouteAttribution, SemconvMode } from './types';
import type { TokenUsage } from './instrumentation';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_ROUTE_GATEWAY,
  ATTR_GEN_AI_ROUTE_UPSTREAM,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  GEN_AI_CLIENT_OPERATION_DURATION_BUCKETS,
  GEN_AI_CLIENT_TOKEN_USAGE_BUCKETS,
  GEN_AI_TOKEN_TYPE_VALUE_INPUT,
  GEN_AI_TOKEN_TYPE_VALUE_OUTPUT,
  METRIC_GEN_AI_CLIENT_COST,
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
} from './semconv';
import { resolveSemconvMode } from './route-attributes';

/** One finished model call, as the route metrics record it. */
export interface RouteMetricsRecord {
  /** `gen_ai.operation.name`: `chat`, `text_completion`, `embeddings`, … */
  operation: string;
  /** The derived route; gives `gen_ai.provider.name`/`gen_ai.system`, `gen_ai.route.gateway`, `gen_ai.route.upstream`. */
  attribution?: RouteAttribution;
  /** `gen_ai.request.model`; defaults to `attribution.requestModel`. */
  requestModel?: string;
  /** `gen_ai.response.model`; defaults to `attribution.responseModel`. */
  responseModel?: string;
  /** Wall time of the call in seconds. */
  durationSeconds: number;
  /** Token counts; input and output become `gen_ai.client.token.usage` points. */
  usage?: TokenUsage;
  /** Cost in USD for `gen_ai.client.cost`; defaults to `attribution.cost`. */
  cost?: number;
  /** `error.type` when the call failed (duration only, as semconv asks). */
  errorType?: string;
  /** `server.address`. */
  serverAddress?: string;
  /** `server.port`. */
  serverPort?: number;
}

/** The GenAI client metrics with route dimensions. Created by {@link createRouteMetrics}. */
export interface RouteMetrics {
  /** Records the duration and token usage of one call. Never throws. */
  record(record: RouteMetricsRecord): void;
  /**
   * `true` when the meter is the OpenTelemetry API's no-op one (no SDK registered): `record` then
   * does nothing, and callers may skip building its argument.
   */
  readonly recordsNothing?: boolean;
}

/**
 * Creates the `gen_ai.client.operation.duration` (s) and `gen_ai.client.token.usage` ({token})
 * histograms, with the semconv bucket boundaries, and `gen_ai.client.cost` (USD, when a gateway
 * reports a cost), and returns a recorder that adds
 * `gen_ai.route.gateway` and `gen_ai.route.upstream` beside the semconv dimensions.
 *
 * Only low-cardinality fields become dimensions: never request ids, paths or evidence.
 */
export function createRouteMetrics(meter: Meter, options: { semconv?: SemconvMode; providerName?: ProviderNameMode } = {}): RouteMetrics {
  const durationHistogram: Histogram = meter.createHistogram(METRIC_GEN_AI_CLIENT_OPERATION_DURATION, {
    description: 'GenAI operation duration.',
    unit: 's',
    advice: { explicitBucketBoundaries: [...GEN_AI_CLIENT_OPERATION_DURATION_BUCKETS] },
  });
  const tokenHistogram: Histogram = meter.createHistogram(METRIC_GEN_AI_CLIENT_TOKEN_USAGE, {
    description: 'Number of input and output tokens used.',
    unit: '{token}',
    advice: { explicitBucketBoundaries: [...GEN_AI_CLIENT_TOKEN_USAGE_BUCKETS] },
  });
  const costHistogram: Histogram = meter.createHistogram(METRIC_GEN_AI_CLIENT_COST, {
    description: 'What the gateway says the GenAI call cost.',
    unit: 'USD',
  });
  const semconv = resolveSemconvMode(options.semconv);
  const providerName: ProviderNameMode = options.providerName === 'upstream' ? 'upstream' : 'system';
  // The API's no-op meter hands out one shared no-op instrument; an SDK meter never does.
  const recordsNothing = durationHistogram === tokenHistogram && tokenHistogram === costHistogram;

  return {
    recordsNothing,
    record(record) {
      if (recordsNothing) return;
      try {
        const dimensions = metricDimensions(record, semconv, providerName);
        if (Number.isFinite(record.durationSeconds) && record.durationSeconds >= 0) {
          durationHistogram.record(
            record.durationSeconds,
            record.errorType ? { ...dimensions, [ATTR_ERROR_TYPE]: record.errorType } : dimensions,
          );
        }
        const inputTokens = record.usage?.inputTokens;
        if (isCount(inputTokens)) {
          tokenHistogram.record(inputTokens, { ...dimensions, [ATTR_GEN_AI_TOKEN_TYPE]: GEN_AI_TOKEN_TYPE_VALUE_INPUT });
        }
        const outputTokens = record.usage?.outputTokens;
        if (isCount(outputTokens)) {
          tokenHistogram.record(outputTokens, { ...dimensions, [ATTR_GEN_AI_TOKEN_TYPE]: GEN_AI_TOKEN_TYPE_VALUE_OUTPUT });
        }
        const cost = record.cost ?? record.attribution?.cost;
        if (isCount(cost)) costHistogram.record(cost, dimensions);
      } catch (error) {
        diag.warn('servedby: recording route metrics failed', error);
      }
    },
  };
}

function metricDimensions(record: RouteMetricsRecord, semconv: SemconvMode, providerName: ProviderNameMode): Attributes {
  const attribution = record.attribution;
  const dimensions: Attributes = { [ATTR_GEN_AI_OPERATION_NAME]: record.operation };
  const system = (providerName === 'upstream' ? attribution?.upstream : undefined) ?? attribution?.system;
  if (system) {
    if (semconv !== 'latest') dimensions[ATTR_GEN_AI_SYSTEM] = system;
    if (semconv !== 'legacy') dimensions[ATTR_GEN_AI_PROVIDER_NAME] = system;
  }
  const requestModel = record.requestModel ?? attribution?.requestModel;
  if (requestModel) dimensions[ATTR_GEN_AI_REQUEST_MODEL] = requestModel;
  const responseModel = record.responseModel ?? attribution?.responseModel;
  if (responseModel) dimensions[ATTR_GEN_AI_RESPONSE_MODEL] = responseModel;
  if (attribution?.gateway) dimensions[ATTR_GEN_AI_ROUTE_GATEWAY] = attribution.gateway;
  if (attribution?.upstream) dimensions[ATTR_GEN_AI_ROUTE_UPSTREAM] = attribution.upstream;
  if (record.serverAddress) dimensions[ATTR_SERVER_ADDRESS] = record.serverAddress;
  if (record.serverPort !== undefined) dimensions[ATTR_SERVER_PORT] = record.serverPort;
  return dimensions;
}

function isCount(value: number | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
