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
export { changeWindows, type ChangeWindow } from './report/format-report';
export { createInProcessExporter, createOtlpJsonLinesExporter, encodeOtlpJson } from './telemetry/exporters';
export { createVirtualClock, createVirtualTimeProcessor, type VirtualClock } from './telemetry/virtual-clock';
export { createDemoTelemetry, type DemoTelemetry, type DemoTelemetryOptions } from './telemetry/pipeline';
export { generateSyntheticSpans, type SyntheticOptions } from './synthetic/synthetic-spans';
export { runDemoScenario, type AgentFactory, type ScenarioEvent, type ScenarioOptions, type ScenarioResult } from './scenario/run-scenario';
export { ALL_AGENTS } from './scenario/all-agents';
export { createTimeline, phaseOf, runScenario, type Phase, type RunScenario, type Timeline } from './scenario/timeline';
export { resolveEndpoints, type ResolvedEndpoints } from './scenario/endpoints';
export type { AgentEnvironment, RouteKind, ServiceEndpoints, SupportAgent } from './scenario/agent';
