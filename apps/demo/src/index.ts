export { startViewer, viewerPublicDirectory, type Viewer, type ViewerOptions } from './viewer/server';
export { createSpanStore, parseFilter, type AttributeFilter, type SpanStore, type TraceSummary } from './store/span-store';
export { decodeOtlpJson, decodeOtlpJsonLines, type OtlpTraceRequest } from './otlp/decode-json';
export { decodeOtlpProtobuf } from './otlp/decode-protobuf';
export {
  ATTRIBUTE,
  attributeText,
  isEvalItem,
  isModelCall,
  leafModelCalls,
  type AttributeValue,
  type SpanEventRecord,
  type SpanLinkRecord,
  type SpanRecord,
} from './otlp/span-record';
export { modelCallsOf, chooseBucketMs, DIRECT, UNKNOWN, type ModelCall } from './analysis/model-calls';
export { computeTopology, type ModelTopology, type Topology, type TopologyFlow } from './analysis/topology';
export {
  computeDrift,
  totalVariationDistance,
  DEFAULT_DRIFT_RULE,
  type ChangePoint,
  type ChangedTrace,
  type Drift,
  type DriftBucket,
  type DriftRule,
  type DriftSeries,
} from './analysis/drift';
export {
  computeEvalCrossTab,
  DEFAULT_REGRESSION_DROP,
  type EvalCrossTab,
  type EvalItem,
  type EvalRegression,
  type EvalRow,
  type EvalWindow,
} from './analysis/eval-crosstab';
export { analyzeSpans, changeWindows, formatReport, type ChangeWindow, type ReportData } from './report/format-report';
export { createInProcessExporter, createOtlpJsonLinesExporter, encodeOtlpJson } from './telemetry/exporters';
export { createVirtualClock, createVirtualTimeProcessor, type VirtualClock } from './telemetry/virtual-clock';
export { createDemoTelemetry, type DemoTelemetry, type DemoTelemetryOptions } from './telemetry/pipeline';
export { generateSyntheticSpans, type SyntheticOptions } from './synthetic/synthetic-spans';
export { runDemoScenario, type AgentFactory, type ScenarioEvent, type ScenarioOptions, type ScenarioResult } from './scenario/run-scenario';
export { ALL_AGENTS } from './scenario/all-agents';
export { createTimeline, phaseOf, runScenario, type Phase, type RunScenario, type Timeline } from './scenario/timeline';
export { resolveEndpoints, type ResolvedEndpoints } from './scenario/endpoints';
export type { AgentEnvironment, RouteKind, ServiceEndpoints, SupportAgent } from './scenario/agent';
export { encodeSpanRecords } from './otlp/encode-records';
