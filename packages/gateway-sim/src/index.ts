export { startGatewaySim } from './server';
export {
  BUILT_IN_PRESETS,
  SCENARIO_HEADER,
  SEED_HEADER,
  TIME_HEADER,
  UPSTREAM_HEADER,
} from './scenario';
export { encodeEventStreamMessage, decodeEventStreamMessages, crc32 } from './event-stream';
export { DEFAULT_ANSWER_TEXT } from './answer';
export { SIM_TARGETS } from './types';
export { createBroadcastExporter, otlpJson, parseTraceparent } from './broadcast';
export type { BroadcastExporter, BroadcastExporterOptions, GatewaySpan } from './broadcast';
export { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver';
export type {
  GatewayRefusal,
  GatewaySim,
  GatewaySimOptions,
  SimConfig,
  SimFailure,
  SimLatency,
  SimRequestRecord,
  SimScenario,
  SimTarget,
  TimelineSegment,
  WeightedUpstream,
} from './types';
export type { EventStreamMessage } from './event-stream';

/** Version of the simulator package. */
export const VERSION = '0.1.0';
