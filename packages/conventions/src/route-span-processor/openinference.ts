import type { Attributes } from '@opentelemetry/api';
import { compactFacts, isRecord, jsonObject, MAX_JSON_TEXT, ownString, ownValue, type PeerSpanReader, stringAttribute } from './peer-spans';

// OpenInference attribute names (Arize-ai/openinference spec/semantic_conventions.md).
const SPAN_KIND = 'openinference.span.kind';
const LLM_PROVIDER = 'llm.provider';
const LLM_SYSTEM = 'llm.system';
const INVOCATION_PARAMETERS = 'llm.invocation_parameters';
const OUTPUT_VALUE = 'output.value';
const OUTPUT_MIME_TYPE = 'output.mime_type';
const METADATA = 'metadata';
const INPUT_VALUE = 'input.value';
const INPUT_MIME_TYPE = 'input.mime_type';

/**
 * OpenInference LLM spans (`@arizeai/openinference-instrumentation-openai`, `-langchain`).
 *
 * Seen over gateway-sim: the OpenAI instrumentation keeps the raw response JSON in `output.value`
 * when not streaming (OpenRouter's `provider`, the Vercel gateway's `provider_metadata`, Azure's
 * content-filter fields all survive); when streaming `output.value` is the text only. The
 * LangChain instrumentation's `output.value` is LangChain's serialised `LLMResult`: the message
 * `id` and `response_metadata.model_name` survive, the gateway's `provider` does not (ChatOpenAI
 * drops it). `llm.system`/`llm.provider`/`metadata.ls_provider` are client labels: `openai` for
 * every OpenAI-compatible base URL. `llm.model_name` is the served model on a JSON answer but the
 * requested one on a stream, so it is not read as either.
 */
export const openInferenceReader: PeerSpanReader = {
  peer: 'openinference',
  read(attributes: Attributes) {
    if (attributes[SPAN_KIND] !== 'LLM') return undefined;
    const metadata = jsonObject(attributes[METADATA]);
    const clientLabel = stringAttribute(attributes, LLM_PROVIDER) ?? stringAttribute(attributes, LLM_SYSTEM) ?? ownString(metadata, 'ls_provider');
    const requestModel = ownString(jsonObject(attributes[INVOCATION_PARAMETERS]), 'model');
    // The request as the OpenAI instrumentation recorded it (routing preferences such as OpenRouter's
    // `provider`); deriveRoute bounds and parses it, and reads only the routing fields.
    const input = attributes[INPUT_VALUE];
    const requestBody =
      typeof input === 'string' && input.length <= MAX_JSON_TEXT && stringAttribute(attributes, INPUT_MIME_TYPE)?.includes('json') === true
        ? input
        : undefined;
    const mimeType = stringAttribute(attributes, OUTPUT_MIME_TYPE);
    const output = mimeType === undefined || mimeType.includes('json') ? attributes[OUTPUT_VALUE] : undefined;
    const body = jsonObject(output);
    if (!body) return compactFacts({ peer: 'openinference', requestModel, requestBody, clientLabel });
    const generation = langChainGeneration(body);
    if (generation) {
      return compactFacts({ peer: 'openinference', requestModel, requestBody, clientLabel, ...generation });
    }
    // The raw provider response (OpenAI instrumentation): deriveRoute reads it as the body it is
    // (already parsed here, so it is parsed once).
    return compactFacts({ peer: 'openinference', requestModel, requestBody, clientLabel, responseBody: body });
  },
};

/**
 * The first generation of a serialised LangChain `LLMResult` (`{ generations: [[{ message, generationInfo }]] }`):
 * the message id and the served model. On a stream, LangChain concatenates `response_metadata.model_name`
 * of every chunk, so `generationInfo.model_name` (set once) is preferred.
 */
function langChainGeneration(body: Record<string, unknown>): { responseId?: string; responseModel?: string } | undefined {
  const generations = ownValue(body, 'generations');
  if (!Array.isArray(generations)) return undefined;
  const first: unknown = Array.isArray(generations[0]) ? generations[0][0] : undefined;
  if (!isRecord(first)) return {};
  const kwargs = ownValue(ownValue(first, 'message'), 'kwargs');
  const responseMetadata = ownValue(kwargs, 'response_metadata');
  const responseModel = ownString(ownValue(first, 'generationInfo'), 'model_name') ?? ownString(responseMetadata, 'model_name');
  const responseId = ownString(kwargs, 'id');
  return { ...(responseId ? { responseId } : {}), ...(responseModel ? { responseModel } : {}) };
}
