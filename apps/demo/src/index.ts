// The viewer, its store and the report are @servedby/viewer; the demo re-exports them for callers
// of the demo's barrel.
export {
  analyzeSpans,
  analyzeStore,
  formatReport,
  openStore,
  startViewerServer,
  decodeOtlpJson,
  decodeOtlpJsonLines,
  decodeOtlpProtobuf,
  encodeSpanRecords,
  ATTRIBUTE,
  attributeText,
  type ReportData,
  type TraceStore,
  type AttributeValue,
  type SpanEventRecord,
  type SpanLinkRecord,
  type SpanRecord,
  type OtlpTraceRequest,
} from '@servedby/viewer';
export { startViewer, type Viewer, type ViewerOptions } from './viewer/server';
export { isEvalItem, isModelCall, leafModelCalls } from './otlp/span-record';
export { createInProcessExporter, createOtlpJsonLinesExporter, encodeOtlpJson } from './telemetry/exporters';
export { createVirtualClock, createVirtualTimeProcessor, type VirtualClock } from './telemetry/virtual-clock';
export { createDemoTelemetry, type DemoTelemetry, type DemoTelemetryOptions } from './telemetry/pipeline';
export { generateSyntheticSpans, type SyntheticOptions } from '@servedby/viewer';
export { runDemoScenario, type AgentFactory, type ScenarioEvent, type ScenarioOptions, type ScenarioResult } from './scenario/run-scenario';
export { ALL_AGENTS } from './scenario/all-agents';
export { createTimeline, phaseOf, runScenario, type Phase, type RunScenario, type Timeline } from './scenario/timeline';
export { resolveEndpoints, type ResolvedEndpoints } from './scenario/endpoints';
export type { AgentEnvironment, RouteKind, ServiceEndpoints, SupportAgent } from './scenario/agent';
