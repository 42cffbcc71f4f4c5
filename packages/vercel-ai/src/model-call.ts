import { diag, type Span } from '@opentelemetry/api';
import { sanitizeUrl, type TokenUsage } from '@servedby/conventions';
import { VERSION } from './version';

/** Package name and version: the instrumentation scope of every span and metric this package makes. */
export const INSTRUMENTATION_SCOPE = { name: '@servedby/vercel-ai', version: VERSION } as const;

/**
 * The usage object of any AI SDK major: v5 `LanguageModelV2Usage` (flat numbers), v6/v7
 * `LanguageModelV3/V4Usage` (`inputTokens.total` …) and the normalised `LanguageModelUsage` of
 * `ai` itself (flat numbers plus `inputTokenDetails` / `outputTokenDetails`).
 */
export function toTokenUsage(usage: unknown): TokenUsage | undefined {
  if (!isRecord(usage)) return undefined;
  const input = usage.inputTokens;
  const output = usage.outputTokens;
  const result: TokenUsage = {};
  if (isRecord(input)) {
    result.inputTokens = countOf(input.total);
    result.cacheReadInputTokens = countOf(input.cacheRead);
    result.cacheCreationInputTokens = countOf(input.cacheWrite);
  } else {
    result.inputTokens = countOf(input);
    const details = isRecord(usage.inputTokenDetails) ? usage.inputTokenDetails : undefined;
    result.cacheReadInputTokens = countOf(details?.cacheReadTokens) ?? countOf(usage.cachedInputTokens);
    result.cacheCreationInputTokens = countOf(details?.cacheWriteTokens);
  }
  if (isRecord(output)) {
    result.outputTokens = countOf(output.total);
    result.reasoningTokens = countOf(output.reasoning);
  } else {
    result.outputTokens = countOf(output);
    const details = isRecord(usage.outputTokenDetails) ? usage.outputTokenDetails : undefined;
    result.reasoningTokens = countOf(details?.reasoningTokens) ?? countOf(usage.reasoningTokens);
  }
  return result;
}

/** v5 finish reasons are strings; v6/v7 provider results carry `{ unified, raw }`. */
export function toFinishReason(finishReason: unknown): string | undefined {
  if (typeof finishReason === 'string') return finishReason;
  if (isRecord(finishReason) && typeof finishReason.unified === 'string') return finishReason.unified;
  return undefined;
}

/**
 * `error.type` for a call that answered but did not complete: `error` (the provider reported an
 * error part) or `interrupted` (ai 7: the stream ended without a completion signal, e.g. a
 * gateway's mid-stream error chunk). `undefined` for every normal finish.
 */
export function errorTypeOfFinishReason(finishReason: string | undefined): string | undefined {
  if (finishReason === 'error') return '_OTHER';
  if (finishReason === 'interrupted') return 'interrupted';
  return undefined;
}

/**
 * The response facts an AI SDK `APICallError` carries (`url`, `statusCode`, `responseHeaders`,
 * `responseBody`), so a failed call keeps whatever route its error response revealed.
 * `RetryError` wraps the last attempt's error in `lastError`.
 */
export function errorResponseOf(error: unknown):
  | { url?: string; status?: number; headers?: Record<string, string>; body?: string }
  | undefined {
  let candidate: unknown = error;
  if (isRecord(candidate) && isRecord(candidate.lastError)) candidate = candidate.lastError;
  if (!isRecord(candidate)) return undefined;
  const url = typeof candidate.url === 'string' ? candidate.url : undefined;
  const status = typeof candidate.statusCode === 'number' ? candidate.statusCode : undefined;
  const headers = isRecord(candidate.responseHeaders) ? (candidate.responseHeaders as Record<string, string>) : undefined;
  const body = typeof candidate.responseBody === 'string' ? candidate.responseBody : undefined;
  if (url === undefined && status === undefined && headers === undefined && body === undefined) return undefined;
  return { url, status, headers, body };
}

const ABSOLUTE_URL = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]/i;

/**
 * A URL without its query string and fragment (Azure puts keys there) or credentials: the shared
 * sanitiser of `@servedby/conventions`, for absolute URLs only (`undefined` for anything else).
 */
export function withoutSecrets(url: string | undefined): string | undefined {
  if (!url || !ABSOLUTE_URL.test(url)) return undefined;
  return sanitizeUrl(url);
}

/**
 * Best-effort endpoint of an AI SDK provider model, for providers that do not report
 * `request.url` in their result (Bedrock, every v5/v6 provider). Reads the provider's private
 * `config` (`baseUrl()` on Bedrock, `baseURL` on Anthropic, `url()` on OpenAI-compatible models):
 * it is not a public API, so any surprise gives `undefined`, never an error.
 */
export function modelEndpointUrl(model: unknown): string | undefined {
  try {
    const config = isRecord(model) && isRecord(model.config) ? model.config : undefined;
    if (!config) return undefined;
    const modelId = isRecord(model) && typeof model.modelId === 'string' ? model.modelId : '';
    if (typeof config.baseUrl === 'function') return withoutSecrets(String(config.baseUrl()));
    if (typeof config.baseURL === 'string') return withoutSecrets(config.baseURL);
    if (typeof config.url === 'function') {
      return withoutSecrets(String(config.url({ modelId, path: '/chat/completions' })));
    }
  } catch (error) {
    diag.debug('servedby: could not read the model endpoint', error);
  }
  return undefined;
}

/** The span's name when the SDK exposes it (`Span` of `@opentelemetry/sdk-trace-base` does). */
export function spanNameOf(span: Span): string | undefined {
  const name = (span as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function countOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
