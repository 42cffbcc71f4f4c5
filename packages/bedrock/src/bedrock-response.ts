import type { TokenUsage } from '@servedby/conventions';

/**
 * Usage, finish reasons and ids read from Bedrock Runtime outputs. These are semconv facts,
 * not route facts: who served the call is decided by `deriveRoute` from the same body.
 */
export interface ResponseFacts {
  usage?: TokenUsage;
  finishReasons?: string[];
  responseId?: string;
  /** The body (or the stream part of it) handed to `deriveRoute` as `responseBody`. */
  routeBody?: unknown;
}

type JsonRecord = Record<string, unknown>;

function asRecord(value: unknown): JsonRecord | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonRecord) : undefined;
}

function asCount(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

function firstCount(record: JsonRecord | undefined, ...keys: string[]): number | undefined {
  if (!record) return undefined;
  for (const key of keys) {
    const count = asCount(record[key]);
    if (count !== undefined) return count;
  }
  return undefined;
}

function firstString(...values: unknown[]): string | undefined {
  for (const value of values) if (typeof value === 'string' && value !== '') return value;
  return undefined;
}

/**
 * Bedrock's own input counts (Converse `inputTokens`, Anthropic `input_tokens`, the
 * `x-amzn-bedrock-input-token-count` header) exclude cache reads and writes, while semconv's
 * `gen_ai.usage.input_tokens` includes them, so the cache counts are added back.
 */
function withCacheIncluded(usage: TokenUsage): TokenUsage | undefined {
  const { inputTokens, cacheReadInputTokens, cacheCreationInputTokens } = usage;
  const result: TokenUsage = { ...usage };
  if (inputTokens !== undefined) {
    result.inputTokens = inputTokens + (cacheReadInputTokens ?? 0) + (cacheCreationInputTokens ?? 0);
  }
  return compactUsage(result);
}

function compactUsage(usage: TokenUsage): TokenUsage | undefined {
  const entries = Object.entries(usage).filter(([, value]) => value !== undefined);
  return entries.length > 0 ? (Object.fromEntries(entries) as TokenUsage) : undefined;
}

/** Usage in Converse's `TokenUsage` shape (response body and the stream's `metadata` event). */
export function converseUsage(value: unknown): TokenUsage | undefined {
  const usage = asRecord(value);
  if (!usage) return undefined;
  return withCacheIncluded({
    inputTokens: firstCount(usage, 'inputTokens'),
    outputTokens: firstCount(usage, 'outputTokens'),
    cacheReadInputTokens: firstCount(usage, 'cacheReadInputTokens', 'cacheReadInputTokenCount'),
    cacheCreationInputTokens: firstCount(usage, 'cacheWriteInputTokens', 'cacheWriteInputTokenCount'),
  });
}

/** Facts from a Converse response. */
export function converseFacts(output: unknown): ResponseFacts {
  const body = asRecord(output) ?? {};
  const stopReason = firstString(body.stopReason);
  return {
    usage: converseUsage(body.usage),
    finishReasons: stopReason ? [stopReason] : undefined,
    // Only what identifies the served model: the prompt router's trace.
    routeBody: body.trace === undefined ? undefined : { trace: body.trace },
  };
}

/** Usage from the `x-amzn-bedrock-*-token-count` headers (InvokeModel; optional elsewhere). */
export function headerUsage(headers: Record<string, string> | undefined): TokenUsage | undefined {
  if (!headers) return undefined;
  return withCacheIncluded({
    inputTokens: asCount(headers['x-amzn-bedrock-input-token-count']),
    outputTokens: asCount(headers['x-amzn-bedrock-output-token-count']),
    cacheReadInputTokens: asCount(headers['x-amzn-bedrock-cache-read-input-token-count']),
    cacheCreationInputTokens: asCount(headers['x-amzn-bedrock-cache-write-input-token-count']),
  });
}

/**
 * Usage from a model-native InvokeModel body or stream chunk. Bedrock passes each vendor's
 * own shape through: Anthropic `usage.input_tokens`, Nova `usage.inputTokens`, OpenAI-shaped
 * `usage.prompt_tokens` (AI21, gpt-oss), Titan `inputTextTokenCount`, Llama
 * `prompt_token_count`, and the stream's `amazon-bedrock-invocationMetrics`.
 */
export function invokeBodyUsage(json: JsonRecord): TokenUsage | undefined {
  const usage = asRecord(json.usage) ?? asRecord(asRecord(json.message)?.usage) ?? asRecord(asRecord(json.metadata)?.usage);
  if (usage && ('prompt_tokens' in usage || 'completion_tokens' in usage)) {
    // OpenAI-shaped: prompt_tokens already includes cached tokens.
    return compactUsage({
      inputTokens: firstCount(usage, 'prompt_tokens'),
      outputTokens: firstCount(usage, 'completion_tokens'),
      cacheReadInputTokens: firstCount(asRecord(usage.prompt_tokens_details), 'cached_tokens'),
      reasoningTokens: firstCount(asRecord(usage.completion_tokens_details), 'reasoning_tokens'),
    });
  }
  const metrics = asRecord(json['amazon-bedrock-invocationMetrics']);
  const titanResult = Array.isArray(json.results) ? asRecord(json.results[0]) : undefined;
  return withCacheIncluded({
    inputTokens:
      firstCount(metrics, 'inputTokenCount') ??
      firstCount(usage, 'input_tokens', 'inputTokens') ??
      firstCount(json, 'inputTextTokenCount', 'prompt_token_count'),
    outputTokens:
      firstCount(metrics, 'outputTokenCount') ??
      firstCount(usage, 'output_tokens', 'outputTokens') ??
      firstCount(titanResult, 'tokenCount') ??
      firstCount(json, 'totalOutputTextTokenCount', 'generation_token_count'),
    cacheReadInputTokens:
      firstCount(metrics, 'cacheReadInputTokenCount') ??
      firstCount(usage, 'cache_read_input_tokens', 'cacheReadInputTokenCount', 'cacheReadInputTokens'),
    cacheCreationInputTokens:
      firstCount(metrics, 'cacheWriteInputTokenCount') ??
      firstCount(usage, 'cache_creation_input_tokens', 'cacheWriteInputTokenCount', 'cacheWriteInputTokens'),
  });
}

/** The stop reason in whichever vendor shape the body or chunk uses. */
export function invokeBodyFinishReason(json: JsonRecord): string | undefined {
  const choice = Array.isArray(json.choices) ? asRecord(json.choices[0]) : undefined;
  const output = Array.isArray(json.outputs) ? asRecord(json.outputs[0]) : undefined;
  const generation = Array.isArray(json.generations) ? asRecord(json.generations[0]) : undefined;
  const titanResult = Array.isArray(json.results) ? asRecord(json.results[0]) : undefined;
  return firstString(
    json.stop_reason,
    json.stopReason,
    asRecord(json.delta)?.stop_reason,
    asRecord(json.messageStop)?.stopReason,
    json.completionReason,
    json.finish_reason,
    choice?.finish_reason,
    output?.stop_reason,
    generation?.finish_reason,
    titanResult?.completionReason,
  );
}

const utf8 = new TextDecoder();

/**
 * Bodies above this size are not parsed (large embedding batches, images): the
 * `x-amzn-bedrock-*` headers still carry their usage, and the caller pays no second parse.
 */
export const MAX_PARSED_BODY_BYTES = 1024 * 1024;

const OPEN_BRACE = 0x7b;

function startsLikeJsonObject(payload: Uint8Array): boolean {
  for (const byte of payload) {
    // skip JSON whitespace: space, tab, line feed, carriage return
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    return byte === OPEN_BRACE;
  }
  return false;
}

/** Parses a JSON object given as bytes or text; undefined when it is not one (or too large). */
export function parseJsonPayload(payload: unknown): JsonRecord | undefined {
  try {
    let text: string | undefined;
    if (typeof payload === 'string') text = payload.length <= MAX_PARSED_BODY_BYTES ? payload : undefined;
    else if (payload instanceof Uint8Array && payload.byteLength <= MAX_PARSED_BODY_BYTES && startsLikeJsonObject(payload)) {
      text = utf8.decode(payload);
    }
    if (text === undefined) return undefined;
    const trimmed = text.trimStart();
    if (!trimmed.startsWith('{')) return undefined;
    return asRecord(JSON.parse(trimmed));
  } catch {
    return undefined;
  }
}

/** Facts from a non-streaming InvokeModel response. */
export function invokeModelFacts(body: unknown, headers: Record<string, string> | undefined): ResponseFacts {
  const json = parseJsonPayload(body);
  const finishReason = json ? invokeBodyFinishReason(json) : undefined;
  // The headers are Bedrock's billed counts; the body fills what they do not carry.
  const fromHeaders = headerUsage(headers);
  const fromBody = json ? invokeBodyUsage(json) : undefined;
  return {
    usage: fromHeaders || fromBody ? { ...fromBody, ...fromHeaders } : undefined,
    finishReasons: finishReason ? [finishReason] : undefined,
    responseId: json ? firstString(json.id) : undefined,
    routeBody: json,
  };
}

/** Accumulates facts from ConverseStream events as they pass. */
export function createConverseStreamReader(): { read(event: unknown): void; facts(): ResponseFacts } {
  const facts: ResponseFacts = {};
  return {
    read(event) {
      const record = asRecord(event);
      if (!record) return;
      const stopReason = firstString(asRecord(record.messageStop)?.stopReason);
      if (stopReason) facts.finishReasons = [stopReason];
      const metadata = asRecord(record.metadata);
      if (metadata) {
        facts.usage = converseUsage(metadata.usage) ?? facts.usage;
        if (metadata.trace !== undefined) facts.routeBody = { trace: metadata.trace };
      }
    },
    facts: () => facts,
  };
}

/** Accumulates facts from InvokeModelWithResponseStream chunks as they pass. */
export function createInvokeStreamReader(): { read(part: unknown): void; facts(): ResponseFacts } {
  const facts: ResponseFacts = {};
  return {
    read(part) {
      const json = parseJsonPayload(asRecord(asRecord(part)?.chunk)?.bytes);
      if (!json) return;
      // Anthropic's message_start carries the served model and id; OpenAI-shaped chunks carry them on top.
      const message = asRecord(json.message);
      if (facts.routeBody === undefined && (firstString(message?.model, json.model) || firstString(message?.id, json.id))) {
        facts.routeBody = message && firstString(message.model, message.id) ? message : json;
        facts.responseId = firstString(message?.id, json.id);
      }
      const finishReason = invokeBodyFinishReason(json);
      if (finishReason) facts.finishReasons = [finishReason];
      const usage = invokeBodyUsage(json);
      if (usage) facts.usage = { ...facts.usage, ...usage };
    },
    facts: () => facts,
  };
}
