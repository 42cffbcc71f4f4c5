import type { Attributes } from '@opentelemetry/api';

/**
 * What one peer instrumentation's span says about a model call, in that peer's own attribute
 * names, read into one shape. Only facts the peer really recorded; nothing is inferred here.
 */
export interface PeerSpanFacts {
  /** Which reader matched (`openinference`, `ai-sdk`, `aws-sdk`, `langfuse`, `semconv`). */
  peer: string;
  /** The model as the code asked for it. */
  requestModel?: string;
  /** The served model the response carried, as the peer recorded it. */
  responseModel?: string;
  /** The response id the peer recorded (`gen-…` on OpenRouter, `gen_…` on the Vercel AI Gateway). */
  responseId?: string;
  /** The response body, parsed, when the peer kept it whole (OpenInference `output.value`). */
  responseBody?: Record<string, unknown>;
  /** The request body as sent, JSON text (OpenInference `input.value`): its routing preferences become `gen_ai.route.policy`. */
  requestBody?: string;
  /** AI SDK `providerMetadata` (`ai.response.providerMetadata`, opt-in in `@ai-sdk/otel`). */
  providerMetadata?: Record<string, unknown>;
  /** The base URL or server the call went to, when the peer recorded it. */
  url?: string;
  /** The configured client region (aws-sdk instrumentation `cloud.region`). */
  region?: string;
  /** Response header values the peer really read (aws-sdk `aws.request.id` is `x-amzn-requestid`). */
  responseHeaders?: Array<[string, string]>;
  /**
   * The peer's label for the client or provider class (`gen_ai.system=openai`, `llm.system`,
   * `ai.model.provider`, LangChain `ls_provider`). It names the client, not who served: it never
   * decides a gateway or an upstream (DESIGN §2.7).
   */
  clientLabel?: string;
}

/** Reads one peer's model-call spans. */
export interface PeerSpanReader {
  /** The peer family this reader understands. */
  readonly peer: string;
  /**
   * The facts of a model-call span of this peer; `null` for a span of this peer that is not a model
   * call (an AI SDK outer `ai.generateText` span); `undefined` when the span is not this peer's.
   * Never throws on odd values.
   */
  read(attributes: Attributes): PeerSpanFacts | null | undefined;
}

/** Longest attribute text the readers parse as JSON (DESIGN: bodies are bounded to 1 MiB). */
export const MAX_JSON_TEXT = 1 << 20;
const MAX_FACT_TEXT = 2048;

/** A non-empty string attribute, cut to a sane length; anything else is `undefined`. */
export function stringAttribute(attributes: Attributes, key: string): string | undefined {
  const value = attributes[key];
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return value.length > MAX_FACT_TEXT ? value.slice(0, MAX_FACT_TEXT) : value;
}

/** Parses a bounded JSON object text; arrays, primitives and broken JSON give `undefined`. */
export function jsonObject(text: unknown): Record<string, unknown> | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_JSON_TEXT) return undefined;
  if (text.charCodeAt(0) !== 123 /* { */ && !text.trimStart().startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** A plain object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An own string property of a record, non-empty and bounded. */
export function ownString(record: unknown, key: string): string | undefined {
  if (!isRecord(record) || !Object.prototype.hasOwnProperty.call(record, key)) return undefined;
  const value = record[key];
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return value.length > MAX_FACT_TEXT ? value.slice(0, MAX_FACT_TEXT) : value;
}

/** An own property of a record. */
export function ownValue(record: unknown, key: string): unknown {
  return isRecord(record) && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/** Copies the defined fields of `facts` (so the result never carries `undefined` values). */
export function compactFacts(facts: PeerSpanFacts): PeerSpanFacts {
  const out: PeerSpanFacts = { peer: facts.peer };
  for (const key of Object.keys(facts) as Array<keyof PeerSpanFacts>) {
    const value = facts[key];
    if (value !== undefined && key !== 'peer') (out as unknown as Record<string, unknown>)[key] = value;
  }
  return out;
}
