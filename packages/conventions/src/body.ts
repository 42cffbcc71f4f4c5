/**
 * Body rules: turn a response body in whatever form a plugin has it (parsed JSON, JSON text with
 * keep-alive padding, SSE text with `:` comments, bytes) into the route facts it carries.
 */
import { isObject, type JsonObject, own } from './shared/json';

/** Route facts read from a response body. Every field is optional. */
export interface BodyFacts {
  /** Top-level `provider` (OpenRouter display name, or a Portkey slug); from any stream chunk. */
  provider?: string;
  /** OpenRouter error bodies: `error.metadata.provider_name`. */
  errorProviderName?: string;
  /**
   * `true` for OpenRouter's own refusal body: `user_id: "user_…"` beside `error`, or
   * `error.metadata.limit_source: "openrouter_…"` (its credit and free-tier limits).
   */
  openrouterOwnError?: boolean;
  /** First non-empty top-level `model` (Azure's first stream chunk has an empty one). */
  model?: string;
  /** Gemini / Vertex `modelVersion`. */
  modelVersion?: string;
  /** First non-empty top-level `id`. */
  id?: string;
  /** Vercel AI Gateway top-level `generationId`. */
  generationId?: string;
  /** Vercel AI Gateway `provider_metadata.gateway` (from `choices[0].message` / `.delta` or the top level). */
  gatewayMetadata?: Record<string, unknown>;
  /** OpenRouter `openrouter_metadata` (opt-in router metadata). */
  openrouterMetadata?: Record<string, unknown>;
  /** `true` when an Anthropic Messages-shaped body (`type: "message"`) was seen. */
  anthropicShaped?: boolean;
  /** `id` of the Anthropic-shaped message (`msg_bdrk_…`, `msg_vrtx_…`, `msg_01…`). */
  anthropicMessageId?: string;
  /** Anthropic `usage.inference_geo` (also from Vercel's sibling `anthropic` metadata). */
  inferenceGeo?: string;
  /** `true` when a Groq `x_groq` object was seen. */
  groq?: boolean;
  /** Bedrock Converse `trace.promptRouter.invokedModelId`. */
  promptRouterInvokedModelId?: string;
  /** `true` when Azure content-filter fields were seen (`prompt_filter_results`, `content_filters`). */
  azureContentFilter?: boolean;
  /** `true` when an `error` object or an error-typed event was seen. */
  error?: boolean;
  /** `error.type` of an error body (LiteLLM `budget_exceeded`, OpenAI `insufficient_quota`). */
  errorType?: string;
  /** `usage.cost` in USD, when the body reports a number (OpenRouter, AI Gateway OpenAI-compatible wire). */
  cost?: number;
  /** Pydantic AI Gateway `usage.pydantic_ai_gateway.cost_estimate` (or under Gemini's `usageMetadata`), unrounded USD. */
  gatewayCostEstimate?: number;
  /**
   * Bifrost's `extra_fields` (its own body block: `request_type` and `latency` are Bifrost's only):
   * the provider and model it used, a semantic-cache hit, and `is_bifrost_error` on error bodies.
   */
  bifrost?: { provider?: string; resolvedModel?: string; cacheHit?: boolean; ownError?: boolean };
  /** How the body was read. */
  format: 'none' | 'object' | 'json' | 'sse' | 'partial';
}

// Bounds on parsing work: huge bodies are sampled, never parsed in full.
const MAX_BODY_TEXT = 1 << 20;
const MAX_HEAD_EVENTS = 256;
const HEAD_EVENTS = 8;
const TAIL_EVENTS = 4;
const MAX_STRING = 512;


function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value.slice(0, MAX_STRING) : undefined;
}

// One decoder for all calls: a non-streaming decode keeps no state between calls.
const UTF8_DECODER = new TextDecoder('utf-8', { fatal: false });

function bytesToText(bytes: Uint8Array): string {
  const view = bytes.length > MAX_BODY_TEXT ? bytes.subarray(0, MAX_BODY_TEXT) : bytes;
  return UTF8_DECODER.decode(view);
}

function bodyText(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return bytesToText(body);
  if (body instanceof ArrayBuffer) return bytesToText(new Uint8Array(body));
  if (ArrayBuffer.isView(body)) return bytesToText(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
  return undefined;
}

/** Longest body text read, in UTF-16 code units (~1 MiB of ASCII): the documented bound. */
export const MAX_BODY_TEXT_LENGTH = MAX_BODY_TEXT;
const TAIL_TEXT = 256 * 1024;

/**
 * Bounds body text to 1 MiB before anything scans it. A longer SSE stream keeps its head and its
 * last 256 KiB (route facts sit in the first and last events), cut at a line start; any other
 * text keeps its head, which a truncated-JSON reader still understands.
 */
function boundedText(text: string | undefined): string | undefined {
  if (text === undefined || text.length <= MAX_BODY_TEXT) return text;
  const head = text.slice(0, MAX_BODY_TEXT - TAIL_TEXT);
  if (!looksLikeSse(head.slice(0, 256).trimStart())) return text.slice(0, MAX_BODY_TEXT);
  const tail = text.slice(text.length - TAIL_TEXT);
  const lineStart = tail.indexOf('\n');
  return `${head}\n\n${lineStart >= 0 ? tail.slice(lineStart + 1) : ''}`;
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;

// Only objects and arrays carry route facts: any other text is skipped without a throwing parse.
function tryParseJson(text: string): unknown {
  const first = text.charCodeAt(0);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) return undefined;
  return parseJsonShared(text);
}

// Inside `withSharedJsonParse`, the bodies and stream events parsed are kept so that a second reader
// of the same text (the capture's response facts, then the derivation) does not parse it again.
// Readers only read the parsed value. Bounded, and cleared when the scope ends: nothing stays
// reachable after the call.
let sharedParseDepth = 0;
let sharedParses: Map<string, unknown> | undefined;
let sharedParseChars = 0;
const MAX_SHARED_PARSES = 32;
const MAX_SHARED_PARSE_CHARS = 2 * MAX_BODY_TEXT;

/**
 * `JSON.parse(text)`, or `undefined` when it is not JSON; inside {@link withSharedJsonParse} the
 * same text is parsed once. The value must be treated as read-only.
 * @internal
 */
export function parseJsonShared(text: string): unknown {
  if (sharedParseDepth > 0 && sharedParses !== undefined) {
    const known = sharedParses.get(text);
    if (known !== undefined || sharedParses.has(text)) return known;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (sharedParseDepth > 0 && sharedParseChars + text.length <= MAX_SHARED_PARSE_CHARS) {
    sharedParses ??= new Map();
    if (sharedParses.size < MAX_SHARED_PARSES) {
      sharedParses.set(text, value);
      sharedParseChars += text.length;
    }
  }
  return value;
}

/**
 * Runs `step` with JSON parses of one body shared between its readers (see {@link parseJsonShared}).
 * @internal
 */
export function withSharedJsonParse<T>(step: () => T): T {
  sharedParseDepth += 1;
  try {
    return step();
  } finally {
    sharedParseDepth -= 1;
    if (sharedParseDepth === 0) {
      sharedParses = undefined;
      sharedParseChars = 0;
    }
  }
}

interface SseScan {
  objects: JsonObject[];
  /** Where scanning stopped; `text.length` when the whole text was read. */
  end: number;
}

/**
 * Reads `data:` events from `start`, line by line without splitting the whole text, until
 * `maxEvents` JSON payloads were parsed. `:` comment lines and `[DONE]` are skipped; a stream
 * cut before its final blank line still yields its last event.
 */
function scanSse(text: string, start: number, maxEvents: number, enough?: (object: JsonObject) => boolean): SseScan {
  const objects: JsonObject[] = [];
  const length = text.length;
  // The current event's `data:` lines: the first held apart, since nearly every event has one.
  let firstData: string | undefined;
  let moreData: string[] | undefined;
  let position = start;
  while (position < length) {
    let lineEnd = text.indexOf('\n', position);
    if (lineEnd < 0) lineEnd = length;
    const lineStart = position;
    let contentEnd = lineEnd;
    if (contentEnd > lineStart && text.charCodeAt(contentEnd - 1) === CARRIAGE_RETURN) contentEnd--;
    position = lineEnd + 1;
    if (contentEnd === lineStart) {
      if (firstData === undefined) continue;
      const done = readEvent(objects, firstData, moreData, enough);
      firstData = undefined;
      moreData = undefined;
      if (done || objects.length >= maxEvents) return { objects, end: position };
    } else if (text.startsWith('data:', lineStart)) {
      // Lines are sliced only when they carry data: comments and other fields cost no copy.
      const valueStart = lineStart + (lineStart + 5 < contentEnd && text.charCodeAt(lineStart + 5) === SPACE ? 6 : 5);
      const value = text.slice(valueStart, contentEnd);
      if (firstData === undefined) firstData = value;
      else (moreData ??= []).push(value);
    }
    // Other fields (`event:`, `id:`, `retry:`) and `:` comments carry no route facts.
  }
  if (firstData !== undefined) readEvent(objects, firstData, moreData, enough);
  return { objects, end: length };
}

const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;

// Parses one event's data; `true` when `enough` says the scan may stop.
function readEvent(objects: JsonObject[], firstData: string, moreData: string[] | undefined, enough: ((object: JsonObject) => boolean) | undefined): boolean {
  const payload = (moreData === undefined ? firstData : `${firstData}\n${moreData.join('\n')}`).trim();
  // Only object payloads are kept: `[DONE]` and other non-objects skip the parse.
  if (payload.charCodeAt(0) !== OPEN_BRACE) return false;
  const parsed = tryParseJson(payload);
  if (!isObject(parsed)) return false;
  objects.push(parsed);
  return enough?.(parsed) === true;
}

/** Start of the line holding the `count`-th last `data:` field at or after `floor`. */
function tailStart(text: string, count: number, floor: number): number {
  let position = text.length;
  let found = 0;
  let start = text.length;
  while (found < count && position > floor) {
    const index = text.lastIndexOf('data:', position - 1);
    if (index < floor) break;
    position = index;
    if (index === 0 || text[index - 1] === '\n' || text[index - 1] === '\r') {
      found++;
      start = index;
    }
  }
  return start;
}

/**
 * Parses SSE text into the JSON payloads of its `data:` events: the first events (the route is
 * on the first chunk of OpenRouter, Anthropic and Responses streams) and the last ones (Vercel's
 * routing, usage and mid-stream errors ride on the final chunks). Long streams are never read
 * in full.
 */
function nonEmpty(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

// The head of a stream is read until an event names the served model (the top level, Anthropic's
// `message_start.message`, a Responses `response.*` event, Gemini's `modelVersion`): route facts of
// the head sit there (OpenRouter's `provider` is on every chunk; Azure's first chunk has an empty
// `model`, its second the served one). The tail is read anyway.
function headHasModel(object: JsonObject): boolean {
  return (
    nonEmpty(object.model) ||
    nonEmpty(object.modelVersion) ||
    nonEmpty(field(object.message, 'model')) ||
    nonEmpty(field(object.response, 'model'))
  );
}

function parseSseEvents(text: string): JsonObject[] {
  const head = scanSse(text, 0, HEAD_EVENTS, headHasModel);
  if (head.end >= text.length) return head.objects;
  const tail = scanSse(text, tailStart(text, TAIL_EVENTS, head.end), TAIL_EVENTS);
  return [...head.objects, ...tail.objects];
}

const PARTIAL_FIELDS: ReadonlyArray<readonly [string, RegExp]> = ['id', 'model', 'provider', 'generationId'].map(
  (field) => [field, new RegExp(`"${field}"\\s*:\\s*"((?:[^"\\\\]|\\\\.){0,512})"`)] as const,
);

// Truncated JSON (a peeked prefix, a collector's excerpt) still names its top-level fields early.
function partialJsonObject(text: string): JsonObject | undefined {
  const sample = text.slice(0, 64 * 1024);
  const result: JsonObject = {};
  for (const [field, pattern] of PARTIAL_FIELDS) {
    const match = pattern.exec(sample);
    if (match?.[1] !== undefined) result[field] = match[1];
  }
  if (/"x_groq"\s*:\s*\{/.test(sample)) result.x_groq = {};
  if (/"(prompt_filter_results|content_filters)"\s*:/.test(sample)) result.prompt_filter_results = [];
  return Object.keys(result).length > 0 ? result : undefined;
}

function looksLikeSse(text: string): boolean {
  return /^(data:|event:|id:|retry:|:)/.test(text);
}

/**
 * Reads a response body into the JSON objects it carries: one for a JSON body, one per `data:`
 * event for SSE (skipping `:` comment lines and `[DONE]`). Leading keep-alive whitespace is
 * allowed. Work is bounded: at most 1 MiB of text is scanned, and long streams are sampled at
 * the head and the tail. Never throws.
 */
export function readBodyObjects(body: unknown): { objects: JsonObject[]; format: BodyFacts['format'] } {
  try {
    if (body === undefined || body === null) return { objects: [], format: 'none' };
    if (Array.isArray(body)) {
      const chunks = body.filter(isObject);
      const sampled =
        chunks.length > MAX_HEAD_EVENTS + TAIL_EVENTS
          ? [...chunks.slice(0, MAX_HEAD_EVENTS), ...chunks.slice(-TAIL_EVENTS)]
          : chunks;
      return { objects: sampled, format: 'object' };
    }
    const text = boundedText(bodyText(body));
    if (text === undefined) {
      return isObject(body) ? { objects: [body], format: 'object' } : { objects: [], format: 'none' };
    }
    const trimmed = text.trimStart();
    if (trimmed.length === 0) return { objects: [], format: 'none' };
    if (looksLikeSse(trimmed)) return { objects: parseSseEvents(trimmed), format: 'sse' };
    if (trimmed.length <= MAX_BODY_TEXT) {
      const parsed = tryParseJson(trimmed);
      if (isObject(parsed)) return { objects: [parsed], format: 'json' };
      if (Array.isArray(parsed)) return readBodyObjects(parsed);
    }
    if (trimmed.startsWith('{')) {
      const partial = partialJsonObject(trimmed);
      if (partial) return { objects: [partial], format: 'partial' };
    }
    return { objects: [], format: 'none' };
  } catch {
    return { objects: [], format: 'none' };
  }
}

// Own keys only: a body's `constructor` or `__proto__` is never an inherited member.
const field = own;

function gatewayIn(holder: unknown): JsonObject | undefined {
  const gateway = field(holder, 'gateway');
  return isObject(gateway) ? gateway : undefined;
}

// Vercel puts `provider_metadata.gateway` on `choices[0].message` / `.delta` or the top level.
function gatewayMetadataOf(object: JsonObject, message: unknown, delta: unknown): JsonObject | undefined {
  return (
    gatewayIn(field(message, 'provider_metadata')) ??
    gatewayIn(field(delta, 'provider_metadata')) ??
    gatewayIn(object.provider_metadata) ??
    gatewayIn(object.providerMetadata)
  );
}

function anthropicGeoOf(holder: unknown): string | undefined {
  return nonEmptyString(field(field(field(field(holder, 'provider_metadata'), 'anthropic'), 'usage'), 'inference_geo'));
}

function inferenceGeoOf(object: JsonObject, message: unknown, delta: unknown): string | undefined {
  return nonEmptyString(field(object.usage, 'inference_geo')) ?? anthropicGeoOf(message) ?? anthropicGeoOf(delta);
}

function readObjectFacts(facts: BodyFacts, object: JsonObject): void {
  facts.provider ??= nonEmptyString(object.provider);
  facts.errorProviderName ??= nonEmptyString(field(field(object.error, 'metadata'), 'provider_name'));
  facts.model ??= nonEmptyString(object.model);
  facts.modelVersion ??= nonEmptyString(object.modelVersion);
  facts.id ??= nonEmptyString(object.id);
  facts.generationId ??= nonEmptyString(object.generationId);
  // `choices[0].message` or `choices[0].delta`: where the OpenAI-compatible wire puts metadata.
  const choices = object.choices;
  const firstChoice = Array.isArray(choices) ? choices[0] : undefined;
  const message = field(firstChoice, 'message');
  const delta = field(firstChoice, 'delta');
  // Later chunks win for gateway metadata: the final chunk carries the complete routing.
  facts.gatewayMetadata = gatewayMetadataOf(object, message, delta) ?? facts.gatewayMetadata;
  if (isObject(object.openrouter_metadata)) facts.openrouterMetadata = object.openrouter_metadata;
  if (object.type === 'message' && typeof object.id === 'string') {
    facts.anthropicShaped = true;
    facts.anthropicMessageId ??= nonEmptyString(object.id);
  }
  facts.inferenceGeo = inferenceGeoOf(object, message, delta) ?? facts.inferenceGeo;
  if (isObject(object.x_groq)) facts.groq = true;
  facts.promptRouterInvokedModelId ??= nonEmptyString(field(field(object.trace, 'promptRouter'), 'invokedModelId'));
  if ('prompt_filter_results' in object || 'content_filters' in object) facts.azureContentFilter = true;
  if (isObject(object.error) || object.type === 'error') facts.error = true;
  if (isObject(object.error) && !facts.openrouterOwnError) {
    const userId = nonEmptyString(object.user_id);
    const limitSource = nonEmptyString(field(field(object.error, 'metadata'), 'limit_source'));
    if (userId?.startsWith('user_') || limitSource?.startsWith('openrouter_')) facts.openrouterOwnError = true;
  }
  facts.errorType ??= nonEmptyString(field(object.error, 'type'));
  const cost = field(object.usage, 'cost');
  if (typeof cost === 'number' && Number.isFinite(cost) && cost >= 0) facts.cost ??= cost;
  const estimate =
    field(field(object.usage, 'pydantic_ai_gateway'), 'cost_estimate') ?? field(field(object.usageMetadata, 'pydantic_ai_gateway'), 'cost_estimate');
  if (typeof estimate === 'number' && Number.isFinite(estimate) && estimate >= 0) facts.gatewayCostEstimate ??= estimate;
  const extra = object.extra_fields;
  if (isObject(extra) && (Object.hasOwn(extra, 'request_type') || Object.hasOwn(extra, 'latency'))) {
    const cacheDebug = field(extra, 'cache_debug');
    const bifrost: NonNullable<BodyFacts['bifrost']> = facts.bifrost ?? {};
    bifrost.provider ??= nonEmptyString(field(field(extra, 'routing_info'), 'provider')) ?? nonEmptyString(field(extra, 'provider'));
    bifrost.resolvedModel ??= nonEmptyString(field(extra, 'resolved_model_used')) ?? nonEmptyString(field(extra, 'model_used'));
    const hit = field(cacheDebug, 'cache_hit');
    if (typeof hit === 'boolean') bifrost.cacheHit ??= hit;
    if (typeof object.is_bifrost_error === 'boolean') bifrost.ownError ??= object.is_bifrost_error;
    facts.bifrost = bifrost;
  }
}

/**
 * Extracts the route facts (DESIGN.md §2.4–2.5) from a response body in any supported form.
 * Never throws.
 */
export function readBodyFacts(body: unknown): BodyFacts {
  const { objects, format } = readBodyObjects(body);
  const facts: BodyFacts = { format };
  try {
    for (const object of objects) {
      readObjectFacts(facts, object);
      // Anthropic SSE wraps the message in `message_start`; Responses SSE wraps it in `response.*` events.
      if (object.type === 'message_start' && isObject(object.message)) readObjectFacts(facts, object.message);
      if (typeof object.type === 'string' && object.type.startsWith('response.') && isObject(object.response)) {
        readObjectFacts(facts, object.response);
      }
    }
  } catch {
    // Facts read so far stay valid.
  }
  return facts;
}
