// The span shape is the viewer's (@servedby/viewer); the helpers below serve the scenario and its tests.
import type { SpanRecord } from '@servedby/viewer';
export { ATTRIBUTE, attributeText, type AttributeValue, type SpanEventRecord, type SpanLinkRecord, type SpanRecord } from '@servedby/viewer';
import { ATTRIBUTE } from '@servedby/viewer';

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
