import type { Attributes } from '@opentelemetry/api';
import { compactFacts, jsonObject, type PeerSpanReader, stringAttribute } from './peer-spans';

const OPERATION_ID = 'ai.operationId';
const MODEL_PROVIDER = 'ai.model.provider';
const MODEL_ID = 'ai.model.id';
const RESPONSE_MODEL = 'ai.response.model';
const RESPONSE_ID = 'ai.response.id';
const PROVIDER_METADATA = 'ai.response.providerMetadata';

/**
 * AI SDK 5/6 built-in telemetry spans (`experimental_telemetry`): `ai.generateText.doGenerate`,
 * `ai.streamText.doStream`, … The outer `ai.generateText` span repeats its call's attributes and
 * is left to the roll-up. `ai.model.provider` (`openai.chat`, `gateway`, `openrouter.chat`) is the
 * provider package: a client label. AI SDK 7 (`@ai-sdk/otel`) spans are semconv spans, read by the
 * semconv reader (which also reads `ai.response.providerMetadata`).
 */
export const aiSdkReader: PeerSpanReader = {
  peer: 'ai-sdk',
  read(attributes: Attributes) {
    const operation = stringAttribute(attributes, OPERATION_ID);
    if (operation === undefined || !operation.startsWith('ai.')) return undefined;
    if (!operation.endsWith('.doGenerate') && !operation.endsWith('.doStream')) return null;
    return compactFacts({
      peer: 'ai-sdk',
      requestModel: stringAttribute(attributes, 'gen_ai.request.model') ?? stringAttribute(attributes, MODEL_ID),
      responseModel: stringAttribute(attributes, RESPONSE_MODEL) ?? stringAttribute(attributes, 'gen_ai.response.model'),
      responseId: stringAttribute(attributes, RESPONSE_ID) ?? stringAttribute(attributes, 'gen_ai.response.id'),
      providerMetadata: jsonObject(attributes[PROVIDER_METADATA]),
      clientLabel: stringAttribute(attributes, MODEL_PROVIDER),
    });
  },
};
