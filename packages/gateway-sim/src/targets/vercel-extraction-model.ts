import { isRecord } from '../answer';
import { parseJsonObject, sendJson, type TargetContext } from '../common';
import type { Exchange } from '../exchange';
import { slugVendor } from '../upstreams';
import { nativeGatewayMetadata, sendNativeJson } from './vercel-decision-model';

/** Path of the AI Gateway's native extraction-model protocol (`@ai-sdk/gateway` `GatewayExtractionModel`, `baseURL` = `…/vercel/v4/ai`). */
export const VERCEL_EXTRACTION_MODEL_PATHS: ReadonlySet<string> = new Set(['/v4/ai/extraction-model', '/v3/ai/extraction-model']);

/**
 * `POST /vercel/v4/ai/extraction-model`: what `experimental_extract` sends to the AI Gateway
 * (`@ai-sdk/gateway` 4.0.158 `GatewayExtractionModel.doExtract`). The model comes in the
 * `ai-model-id` header, the body is `{stateParts, fields, referenceDate?, maxOutputTokens?,
 * reasoning?, providerOptions?}`. The answer follows the client's response schema
 * (`gatewayExtractionResponseSchema`): one typed answer per field, `model`, `usage` and the
 * gateway's routing block in `providerMetadata.gateway`. Synthetic: no recorded extraction-model
 * answer was found; the routing block has the field names of the language-model protocol's.
 */
export async function handleVercelExtractionModel(exchange: Exchange, context: TargetContext): Promise<void> {
  const body = parseJsonObject(exchange.body);
  const fields = body && isRecord(body.fields) ? body.fields : undefined;
  if (exchange.method !== 'POST' || !fields) {
    sendJson(exchange, 400, {}, { error: { message: 'Invalid request: fields is required', type: 'invalid_request_error' } });
    return;
  }
  const modelId = exchange.headers['ai-model-id'] ?? 'openai/gpt-5-mini';
  const upstream = context.chosenUpstream ?? slugVendor(modelId) ?? 'openai';
  const text = firstText(body?.stateParts);
  const referenceDate = typeof body?.referenceDate === 'string' ? body.referenceDate : new Date(context.now).toISOString().slice(0, 10);
  const answers: Record<string, unknown> = {};
  for (const [id, field] of Object.entries(fields)) {
    answers[id] = isRecord(field) ? answerFor(field, text, referenceDate) : { type: 'refusal' };
  }
  context.reportUpstream(upstream);
  const response = {
    answers,
    model: modelId,
    usage: { inputTokens: 58, outputTokens: 7 },
    providerMetadata: nativeGatewayMetadata(modelId, upstream, context, 'Extraction'),
  };
  await sendNativeJson(exchange, context, response);
}

/** The first text state part: what a `text` field is read from. */
function firstText(stateParts: unknown): string {
  if (!Array.isArray(stateParts)) return '';
  const part = stateParts.find((candidate) => isRecord(candidate) && candidate.type === 'text' && typeof candidate.text === 'string');
  return isRecord(part) ? String(part.text) : '';
}

/** An answer of the field's type: the first number in the text for numbers, the text's first sentence for text. */
function answerFor(field: Record<string, unknown>, text: string, referenceDate: string): Record<string, unknown> {
  const number = Number(/-?\d+(?:\.\d+)?/.exec(text)?.[0] ?? Number.NaN);
  const found = (value: unknown) => ({ type: field.type, value, confidence: 0.9 });
  switch (field.type) {
    case 'text':
      return found(text.split(/[.!?]/)[0]?.trim() || null);
    case 'number':
    case 'duration':
      return found(Number.isFinite(number) ? number : null);
    case 'date':
      return found(referenceDate);
    case 'time':
      return found('12:00');
    case 'datetime':
      return found(`${referenceDate}T12:00:00Z`);
    case 'list':
      return { type: 'list', value: field.items === 'number' ? (Number.isFinite(number) ? [number] : []) : text ? [text] : [], confidence: 0.9 };
    default:
      return { type: 'refusal' };
  }
}
