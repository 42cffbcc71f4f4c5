// The JSON the viewer's API answers with. Shared by the server (src/server) and the pages
// (src/browser), so both sides are checked against the same shapes. Type-only: no runtime code.

/** Calls per upstream. */
export type UpstreamCounts = Record<string, number>;

/** A validation problem of one `filter` parameter, shown under the filter box. */
export interface FilterError {
  filter: string;
  message: string;
}

/** Error body of every 4xx/5xx answer of the API. */
export interface ApiError {
  error: string;
  filterErrors?: FilterError[];
}

/** `GET /api/summary`. */
export interface SummaryResponse {
  spans: number;
  traces: number;
  modelCalls: number;
  /** Time range of the model calls (epoch ms). */
  fromMs?: number;
  toMs?: number;
  /** Where the data lives (`embedded ClickHouse (chdb) in …`, `ClickHouse server …`). */
  store: string;
  /** True when pointed at a Collector-filled table: the receiver is off. */
  readOnly: boolean;
  metricsAndLogsRequests: number;
}

/** One row of the Traces page. */
export interface TraceSummary {
  traceId: string;
  rootName: string;
  serviceName: string;
  startMs: number;
  durationMs: number;
  spanCount: number;
  modelCalls: number;
  errors: number;
  gateways: string[];
  upstreams: string[];
  requestModels: string[];
  evalScore?: number;
  cost?: number;
}

/** `GET /api/traces`. */
export interface TracesResponse {
  total: number;
  traces: TraceSummary[];
}

/** A span as stored: attribute values are text, as the Collector's ClickHouse exporter writes them. */
export interface ApiSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP span kind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startMs: number;
  endMs: number;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage?: string;
  serviceName: string;
  scopeName: string;
  attributes: Record<string, string>;
  resourceAttributes: Record<string, string>;
  events: Array<{ name: string; timeMs: number; attributes: Record<string, string> }>;
  links: Array<{ traceId: string; spanId: string; attributes: Record<string, string> }>;
  /** Set on spans the model-call counts leave out: a wrapper of other calls, or a gateway's own span. */
  mark?: 'wrapper' | 'gateway';
}

/** A client model call whose upstream disagrees with the one its gateway's own spans report. */
export interface GatewayDisagreement {
  traceId: string;
  spanId: string;
  startMs: number;
  gateway: string;
  /** What servedby recorded on the client span (`gen_ai.route.upstream`). */
  clientUpstream: string;
  /** What the gateway's span says served (`gen_ai.provider.name`…), as the gateway spells it. */
  gatewayUpstream: string;
  /** The gateway's name normalized to a servedby provider id. */
  gatewayUpstreamId: string;
  gatewaySpans: number;
}

/** `GET /api/traces/{traceId}`. */
export interface TraceResponse {
  spans: ApiSpan[];
  /** Spans left out because the trace is larger than the page shows. */
  truncated: boolean;
  disagreements: GatewayDisagreement[];
}

/** One gateway → upstream flow for a requested model. */
export interface TopologyFlow {
  gateway: string;
  upstream: string;
  calls: number;
  /** Share of this model's calls in the window, 0…1. */
  share: number;
  errors: number;
}

/** All flows of one requested model. */
export interface ModelTopology {
  requestModel: string;
  calls: number;
  flows: TopologyFlow[];
}

/** `GET /api/topology`. */
export interface TopologyResponse {
  fromMs?: number;
  toMs?: number;
  calls: number;
  models: ModelTopology[];
  windows: ChangeWindow[];
}

/** The change-point rule's numbers, as the API reports them. */
export interface DriftRuleInfo {
  minCalls: number;
  alpha: number;
  minShareChange: number;
  presentShare: number;
  description: string;
}

/** A moment where a series' upstream mix changed. */
export interface ChangePoint {
  /** Start of the first window with the new mix. */
  atMs: number;
  bucketIndex: number;
  /** Bonferroni-adjusted p-value of the test that decided it. */
  pValue: number;
  test: 'fisher' | 'chi-square';
  /** Total-variation distance between the two mixes, 0…1. */
  distance: number;
  before: UpstreamCounts;
  after: UpstreamCounts;
  /** e.g. "anthropic 100% → anthropic 40%, together 60%". */
  description: string;
}

/** One time window of one series. */
export interface DriftBucket {
  startMs: number;
  calls: number;
  upstreams: UpstreamCounts;
}

/** The upstream mix over time of one gateway and requested model. */
export interface DriftSeries {
  gateway: string;
  requestModel: string;
  calls: number;
  buckets: DriftBucket[];
  changePoints: ChangePoint[];
  /** `changed`, `no change`, or `too few calls to judge` (never "no change" on too little data). */
  verdict: 'changed' | 'no change' | 'too few calls to judge';
}

/** A trace with a model call served by an upstream its series was not using before the latest change. */
export interface ChangedTrace {
  traceId: string;
  spanId: string;
  startMs: number;
  gateway: string;
  requestModel: string;
  upstream: string;
  /** The dominant upstream of the regime it is compared with. */
  previousUpstream: string;
}

/** A window of time in which a series' upstream mix differed from its steady state. */
export interface ChangeWindow {
  gateway: string;
  requestModel: string;
  fromMs: number;
  /** Undefined when the mix had not gone back by the end of the data. */
  toMs?: number;
  description: string;
}

/** One routing policy in force for a while (`gen_ai.route.policy_hash`). */
export interface PolicyPeriod {
  hash: string;
  policy: string;
  fromMs: number;
  toMs: number;
  calls: number;
}

/** The moment a service's routing policy for a gateway changed. */
export interface PolicyChange {
  serviceName: string;
  gateway: string;
  atMs: number;
  fromHash: string;
  toHash: string;
  fromPolicy: string;
  toPolicy: string;
}

/** `GET /api/policies`. */
export interface PoliciesResponse {
  series: Array<{ serviceName: string; gateway: string; periods: PolicyPeriod[] }>;
  changes: PolicyChange[];
}

/** `GET /api/drift`. */
export interface DriftResponse {
  bucketMs: number;
  /** The smallest bucket width accepted for this range (at most ~2,000 windows). */
  minBucketMs: number;
  fromMs?: number;
  toMs?: number;
  rule: DriftRuleInfo;
  upstreams: string[];
  series: DriftSeries[];
  changedTraces: ChangedTrace[];
  changedTraceTotal: number;
  windows: ChangeWindow[];
  policyChanges: PolicyChange[];
}

/** One scored eval item, joined to the upstream(s) that served the run it scored. */
export interface EvalItem {
  traceId: string;
  spanId: string;
  itemId: string;
  runId: string;
  startMs: number;
  score: number;
  /** The upstream of the run's model calls; several are joined with `+`. */
  upstream: string;
  cost?: number;
  /** Failed model calls of the run it scored, as `{gateway}:{error source}` (`gen_ai.route.error_source`). */
  refusals?: string[];
}

/** Why an eval run regressed, as far as the traces can tell. */
export interface EvalRegression {
  baseline: number;
  drop: number;
  coincidesWithUpstreamChange: boolean;
  /** True when a routing policy change falls between the previous run and this one. */
  matchesPolicyChange: boolean;
  reason: string;
}

/** One eval run (a column of the cross-tab). */
export interface EvalWindow {
  id: string;
  startMs: number;
  items: number;
  meanScore: number;
  upstreams: UpstreamCounts;
  /** What the model calls of this run cost (USD), where the gateway reported it. */
  cost?: number;
  regression?: EvalRegression;
}

/** One upstream (a row of the cross-tab). */
export interface EvalRow {
  upstream: string;
  count: number;
  meanScore: number;
  cells: Array<{ windowId: string; count: number; meanScore?: number }>;
}

/** `GET /api/eval`. */
export interface EvalResponse {
  windows: EvalWindow[];
  rows: EvalRow[];
  items: EvalItem[];
  regressionDrop: number;
  windowsOfChange: ChangeWindow[];
  policyChanges: PolicyChange[];
}

/** `GET /api/cost`: cost by gateway → upstream, from `gen_ai.usage.cost`. */
export interface CostResponse {
  rows: Array<{ gateway: string; upstream: string; calls: number; callsWithCost: number; totalCost: number; meanCost?: number }>;
  totalCost: number;
  currency: 'USD';
}

/** `GET /api/errors`: failed model calls by who refused them, per gateway. */
export interface ErrorsResponse {
  rows: Array<{ gateway: string; source: string; errors: number; cacheHits: number; calls: number }>;
}

/** `GET /api/gateway-spans`. */
export interface GatewaySpansResponse {
  /** Client calls with the gateway's own spans nested under them. */
  joinedCalls: number;
  disagreements: GatewayDisagreement[];
}

/** `GET /api/attributes`: attribute keys of recent spans, with frequent values to suggest. */
export interface AttributesResponse {
  attributes: Array<{ key: string; count: number; values: Array<{ value: string; count: number }> }>;
}
