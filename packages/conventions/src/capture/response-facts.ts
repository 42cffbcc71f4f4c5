import type { TokenUsage } from '../instrumentation';
import { parseJsonShared } from '../body';
import { isObject } from '../shared/json';

// How many of the last stream events are read for usage and finish reasons.
const TAIL_EVENTS = 4;

/** Semconv facts of a response body that are not about its route. */
export interface ResponseFacts {
  responseModel?: string;
  responseId?: string;
  finishReasons?: string[];
  usage?: TokenUsage;
}

/**
 * Semconv facts from an OpenAI- or Anthropic-shaped body (JSON or SSE), for the spans the capture
 * makes itself. Route facts come from `deriveRoute`, never from here. Never throws.
 */
export function responseFacts(text: string): ResponseFacts {
  const facts: ResponseFacts = {};
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    // Truncated or not JSON: undefined, no facts.
    mergeFacts(facts, parseJsonShared(trimmed));
    return facts;
  }
  // Ids and models come first, usage and finish reasons last: parse from both ends, not every event.
  const lines = text.split('\n');
  const parsed = new Set<number>();
  const parseLine = (index: number, into: ResponseFacts) => {
    parsed.add(index);
    const line = lines[index]!;
    if (!line.startsWith('data:')) return;
    const data = line.slice(5).trim();
    if (data.length === 0 || data === '[DONE]') return;
    // Shared with the derivation, which reads the same events (a truncated one is undefined).
    mergeFacts(into, parseJsonShared(data));
  };
  for (let index = 0; index < lines.length && !(facts.responseId && facts.responseModel); index += 1) parseLine(index, facts);
  const fromEnd: ResponseFacts = {};
  let eventsFromEnd = 0;
  for (let index = lines.length - 1; index >= 0 && eventsFromEnd < TAIL_EVENTS && !(fromEnd.usage && fromEnd.finishReasons); index -= 1) {
    if (parsed.has(index) || !lines[index]!.startsWith('data:')) continue;
    eventsFromEnd += 1;
    parseLine(index, fromEnd);
  }
  if (fromEnd.finishReasons) fromEnd.finishReasons.reverse();
  mergeResponseFacts(facts, fromEnd);
  return facts;
}

/** Merges facts read later (a stream's tail) into `facts`: first id and model win, usage fields merge. */
export function mergeResponseFacts(facts: ResponseFacts, later: ResponseFacts): void {
  facts.responseId ??= later.responseId;
  facts.responseModel ??= later.responseModel;
  if (later.finishReasons) facts.finishReasons = [...(facts.finishReasons ?? []), ...later.finishReasons];
  if (later.usage) facts.usage = { ...facts.usage, ...later.usage };
}

function mergeFacts(facts: ResponseFacts, payload: unknown): void {
  if (!isObject(payload)) return;
  const message = isObject(payload.message) ? payload.message : payload; // Anthropic message_start
  if (typeof message.id === 'string' && message.id && !facts.responseId) facts.responseId = message.id;
  if (typeof message.model === 'string' && message.model && !facts.responseModel) facts.responseModel = message.model;
  if (Array.isArray(payload.choices)) {
    for (const choice of payload.choices) {
      if (isObject(choice) && typeof choice.finish_reason === 'string') {
        (facts.finishReasons ??= []).push(choice.finish_reason);
      }
    }
  }
  const usage = isObject(message.usage) ? message.usage : isObject(payload.usage) ? payload.usage : undefined;
  if (usage) {
    const inputTokens = numberOf(usage.prompt_tokens) ?? numberOf(usage.input_tokens);
    const outputTokens = numberOf(usage.completion_tokens) ?? numberOf(usage.output_tokens);
    const promptDetails = isObject(usage.prompt_tokens_details) ? usage.prompt_tokens_details : undefined;
    const completionDetails = isObject(usage.completion_tokens_details) ? usage.completion_tokens_details : undefined;
    const next: TokenUsage = { ...facts.usage };
    if (inputTokens !== undefined) next.inputTokens = inputTokens;
    if (outputTokens !== undefined) next.outputTokens = outputTokens;
    const cached = numberOf(promptDetails?.cached_tokens);
    if (cached !== undefined) next.cacheReadInputTokens = cached;
    const reasoning = numberOf(completionDetails?.reasoning_tokens);
    if (reasoning !== undefined) next.reasoningTokens = reasoning;
    facts.usage = next;
  }
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

