/** An attribute value as OTLP carries it, flattened to plain JSON. */
export type AttributeValue = string | number | boolean | Array<string | number | boolean>;

/** A link from one span to another (OTLP `Span.Link`). */
export interface SpanLinkRecord {
  traceId: string;
  spanId: string;
  attributes: Record<string, AttributeValue>;
}

/** A timed event on a span (OTLP `Span.Event`). */
export interface SpanEventRecord {
  name: string;
  timeMs: number;
  attributes: Record<string, AttributeValue>;
}

/**
 * One span, decoded from OTLP (JSON or protobuf) into the flat shape the viewer, the analyses and
 * the report work on. Times are epoch milliseconds (fractional): enough precision for a viewer and
 * cheap to sort and bucket, unlike nanosecond strings.
 */
export interface SpanRecord {
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
  attributes: Record<string, AttributeValue>;
  /** `service.name` of the resource that produced the span. */
  serviceName: string;
  /** Instrumentation scope name. */
  scopeName: string;
  events: SpanEventRecord[];
  links: SpanLinkRecord[];
}

/** Attribute names the demo reads, so every analysis spells them the same way. */
export const ATTRIBUTE = {
  operationName: 'gen_ai.operation.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  system: 'gen_ai.system',
  providerName: 'gen_ai.provider.name',
  gateway: 'gen_ai.route.gateway',
  upstream: 'gen_ai.route.upstream',
  upstreams: 'gen_ai.route.upstreams',
  fallback: 'gen_ai.route.fallback',
  evaluationName: 'gen_ai.evaluation.name',
  evaluationScore: 'gen_ai.evaluation.score.value',
  evaluationLabel: 'gen_ai.evaluation.score.label',
  evaluationRunId: 'servedby.demo.eval.run_id',
  evaluationItemId: 'servedby.demo.eval.item_id',
} as const;

/** Operations that are calls to a model (as opposed to agent, tool or eval spans). */
const MODEL_OPERATIONS = new Set(['chat', 'text_completion', 'embeddings', 'generate_content']);

/**
 * Whether a span is a model call: a GenAI operation that talks to a model, with a request model.
 * Framework wrapper spans (an AI SDK `ai.generateText` around its `doGenerate`) carry no operation
 * name, so they are not counted twice.
 */
export function isModelCall(span: SpanRecord): boolean {
  const operation = span.attributes[ATTRIBUTE.operationName];
  return typeof operation === 'string' && MODEL_OPERATIONS.has(operation);
}

/**
 * The model-call spans that are real provider calls: model calls with no model-call descendant.
 * Some frameworks wrap a multi-step generation in a span that also says `chat` (Mastra's bridge
 * names its MODEL_GENERATION span `chat {model}`, with `model_step` and servedby's CLIENT spans
 * below it); counting the wrapper would count every call twice.
 */
export function leafModelCalls(spans: readonly SpanRecord[]): SpanRecord[] {
  const candidates = spans.filter(isModelCall);
  if (candidates.length === 0) return candidates;
  // Span ids are 64 random bits: keyed alone they do not collide across traces in practice, and
  // a parent from another trace is ignored below anyway.
  const byId = new Map<string, SpanRecord>();
  for (const span of spans) byId.set(span.spanId, span);
  const wrappers = new Set<SpanRecord>();
  for (const call of candidates) {
    let parent = call.parentSpanId ? byId.get(call.parentSpanId) : undefined;
    for (let depth = 0; parent && parent.traceId === call.traceId && depth < 64; depth += 1) {
      if (isModelCall(parent)) wrappers.add(parent);
      parent = parent.parentSpanId ? byId.get(parent.parentSpanId) : undefined;
    }
  }
  return wrappers.size ? candidates.filter((call) => !wrappers.has(call)) : candidates;
}

/** Whether a span carries an eval score. */
export function isEvalItem(span: SpanRecord): boolean {
  return typeof span.attributes[ATTRIBUTE.evaluationScore] === 'number';
}

/** A string attribute, or undefined when absent or not a string. */
export function stringAttribute(span: SpanRecord, key: string): string | undefined {
  const value = span.attributes[key];
  return typeof value === 'string' ? value : undefined;
}

/** Formats an attribute value for display and for `key=value` filters (arrays comma-joined). */
export function attributeText(value: AttributeValue | undefined): string {
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join(',') : String(value);
}
