import { isRecord } from '../answer';
import { parseJsonObject, sendAnswer, sendJson, type TargetContext } from '../common';
import type { Exchange } from '../exchange';
import { slugVendor } from '../upstreams';

/** Path of the AI Gateway's native decision-model protocol (`@ai-sdk/gateway` `GatewayDecisionModel`, `baseURL` = `…/vercel/v4/ai`). */
export const VERCEL_DECISION_MODEL_PATHS: ReadonlySet<string> = new Set(['/v4/ai/decision-model', '/v3/ai/decision-model']);

/**
 * `POST /vercel/v4/ai/decision-model`: what `experimental_decide` sends to the AI Gateway. The model
 * comes in the `ai-model-id` header, the body is `{stateParts, questions, maxOutputTokens?,
 * reasoning?, providerOptions?}`. The answer follows the client's response schema
 * (`@ai-sdk/gateway` `gatewayDecisionResponseSchema`): one answer per question (`choice`: the first
 * criterion, `score`: the top level, `boolean`: a probability), `model`, `usage` and the gateway's
 * routing block in `providerMetadata.gateway`. Synthetic: no recorded decision-model answer was
 * found; the routing block has the field names of the language-model protocol's.
 */
export async function handleVercelDecisionModel(exchange: Exchange, context: TargetContext): Promise<void> {
  const body = parseJsonObject(exchange.body);
  const questions = body && isRecord(body.questions) ? body.questions : undefined;
  if (exchange.method !== 'POST' || !questions) {
    sendJson(exchange, 400, {}, { error: { message: 'Invalid request: questions is required', type: 'invalid_request_error' } });
    return;
  }
  const modelId = exchange.headers['ai-model-id'] ?? 'openai/gpt-5-mini';
  const upstream = context.chosenUpstream ?? slugVendor(modelId) ?? 'openai';
  const answers: Record<string, unknown> = {};
  for (const [id, question] of Object.entries(questions)) {
    if (!isRecord(question)) continue;
    if (question.type === 'choice' && isRecord(question.criteria)) {
      answers[id] = { type: 'choice', choice: Object.keys(question.criteria)[0] ?? 'unknown' };
    } else if (question.type === 'score') {
      const levels = Array.isArray(question.criteria) ? question.criteria.length : 1;
      answers[id] = { type: 'score', score: Math.max(0, levels - 1) };
    } else if (question.type === 'boolean') {
      answers[id] = { type: 'boolean', probability: 0.9 };
    } else {
      answers[id] = { type: 'refusal' };
    }
  }
  context.reportUpstream(upstream);
  const response = { answers, model: modelId, usage: { inputTokens: 42, outputTokens: 3 }, providerMetadata: nativeGatewayMetadata(modelId, upstream, context, 'Decision') };
  await sendNativeJson(exchange, context, response);
}

/**
 * `providerMetadata` of the native decision- and extraction-model answers: the gateway's routing
 * block with the field names of the language-model protocol's (synthetic, see above).
 */
export function nativeGatewayMetadata(modelId: string, upstream: string, context: TargetContext, kind: 'Decision' | 'Extraction'): Record<string, unknown> {
  const generationId = `gen_${context.random.string(26, '0123456789ABCDEFGHJKMNPQRSTVWXYZ')}`;
  const servedModel = modelId.slice(modelId.indexOf('/') + 1);
  return {
    gateway: {
      routing: {
        originalModelId: modelId,
        resolvedProvider: upstream,
        resolvedProviderApiModelId: servedModel,
        finalProvider: upstream,
        fallbacksAvailable: [],
        planningReasoning: `${kind} model ${modelId} served by ${upstream}`,
        canonicalSlug: modelId,
        attempts: [{ provider: upstream, providerApiModelId: servedModel, credentialType: 'system', success: true, statusCode: 200 }],
      },
      cost: '0.000021',
      generationId,
    },
  };
}

/** Sends a native-protocol JSON answer with the gateway's `x-vercel-id` request id. */
export async function sendNativeJson(exchange: Exchange, context: TargetContext, response: unknown): Promise<void> {
  const vercelId = `iad1::${context.random.string(5, 'abcdefghijklmnopqrstuvwxyz0123456789')}-${context.now}-${context.random.hex(12)}`;
  await sendAnswer(exchange, context, { 'content-type': 'application/json', 'x-vercel-id': vercelId }, JSON.stringify(response));
}
