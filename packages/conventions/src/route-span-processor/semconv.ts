import type { Attributes } from '@opentelemetry/api';
import { compactFacts, jsonObject, type PeerSpanReader, stringAttribute } from './peer-spans';

// Operations that are model calls; agent, step and tool spans get `gen_ai.route.upstreams` instead.
const MODEL_CALL_OPERATIONS: ReadonlySet<string> = new Set(['chat', 'text_completion', 'generate_content', 'embeddings', 'completion']);
const NOT_MODEL_CALL_OPERATIONS: ReadonlySet<string> = new Set([
  'invoke_agent',
  'create_agent',
  'agent_step',
  'execute_tool',
  'invoke_workflow',
]);

/**
 * GenAI semconv spans: OpenLLMetry (`@traceloop/instrumentation-openai`, `-langchain`), AI SDK 7
 * (`@ai-sdk/otel` `chat …` spans) and any other instrumentation on the `gen_ai.*` names.
 *
 * Seen over gateway-sim: OpenLLMetry writes `gen_ai.provider.name=openai` for every
 * OpenAI-compatible base URL (a client label), `gen_ai.response.id` (`gen-…` behind OpenRouter,
 * `gen_…` behind the Vercel gateway, `chatcmpl-…` behind LiteLLM and Azure) and
 * `gen_ai.response.model`, but no URL (older versions wrote `gen_ai.openai.api_base`). Its
 * LangChain instrumentation has no response id. `@ai-sdk/otel` adds `server.address`/`server.port`
 * and, with `providerMetadata: true`, `ai.response.providerMetadata`.
 */
export const semconvReader: PeerSpanReader = {
  peer: 'semconv',
  read(attributes: Attributes) {
    const operation = stringAttribute(attributes, 'gen_ai.operation.name');
    if (operation !== undefined && NOT_MODEL_CALL_OPERATIONS.has(operation)) return undefined;
    const requestModel = stringAttribute(attributes, 'gen_ai.request.model');
    const clientLabel = stringAttribute(attributes, 'gen_ai.provider.name') ?? stringAttribute(attributes, 'gen_ai.system');
    const isModelCall = operation !== undefined ? MODEL_CALL_OPERATIONS.has(operation) : requestModel !== undefined && clientLabel !== undefined;
    if (!isModelCall) return undefined;
    return compactFacts({
      peer: 'semconv',
      requestModel,
      responseModel: stringAttribute(attributes, 'gen_ai.response.model'),
      responseId: stringAttribute(attributes, 'gen_ai.response.id'),
      providerMetadata: jsonObject(attributes['ai.response.providerMetadata']),
      url: stringAttribute(attributes, 'gen_ai.openai.api_base') ?? serverUrl(attributes),
      clientLabel,
    });
  },
};

function serverUrl(attributes: Attributes): string | undefined {
  const address = stringAttribute(attributes, 'server.address');
  if (address === undefined || /[\s/?#@]/.test(address)) return undefined;
  const port = attributes['server.port'];
  const portPart = typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65_536 && port !== 443 ? `:${port}` : '';
  const host = address.includes(':') ? `[${address}]` : address;
  return `https://${host}${portPart}/`;
}
