import {
  azureServedModel,
  chatDeltas,
  chatMessage,
  dataLine,
  finishReason,
  openAiUsage,
  readChatRequest,
  toolCallIdFor,
  type ChatRequest,
} from '../chat-completions';
import {
  applyFailure,
  epochSeconds,
  isUnknownModel,
  parseJsonObject,
  sendAnswer,
  sendJson,
  sendStream,
  type ErrorKind,
  type TargetContext,
  type TargetHandler,
} from '../common';
import { embeddingList, readEmbeddingInputs } from '../embeddings';
import type { Exchange } from '../exchange';
import { readResponsesRequest, responseErrorEvent, responseObject, responseStreamEvents, responsesIds } from '../responses';
import { openAiError } from './openai';

/** The four Azure route shapes the simulator serves. */
type AzureRoute = 'deployments' | 'v1-chat' | 'v1-responses' | 'foundry-models' | 'embeddings';

const SAFE = { filtered: false, severity: 'safe' };
const PROMPT_FILTER_RESULTS = [
  {
    prompt_index: 0,
    content_filter_results: {
      hate: SAFE,
      jailbreak: { filtered: false, detected: false },
      self_harm: SAFE,
      sexual: SAFE,
      violence: SAFE,
    },
  },
];
const COMPLETION_FILTER_RESULTS = {
  hate: SAFE,
  protected_material_code: { filtered: false, detected: false },
  protected_material_text: { filtered: false, detected: false },
  self_harm: SAFE,
  sexual: SAFE,
  violence: SAFE,
};

/** Vendors of third-party models Foundry serves on `/models` (by model-name prefix). */
function foundryVendor(model: string): string {
  const lower = model.toLowerCase();
  if (lower.startsWith('grok')) return 'x_ai';
  if (lower.includes('llama')) return 'meta';
  if (lower.startsWith('mistral') || lower.startsWith('codestral') || lower.startsWith('ministral')) return 'mistral_ai';
  if (lower.startsWith('cohere')) return 'cohere';
  if (lower.startsWith('deepseek')) return 'deepseek';
  if (lower.startsWith('phi')) return 'microsoft';
  return 'openai';
}

function matchRoute(path: string): { route: AzureRoute; deployment?: string } | undefined {
  const deployment = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(path);
  if (deployment) return { route: 'deployments', deployment: decodeURIComponent(deployment[1]!) };
  const deploymentEmbeddings = /^\/openai\/deployments\/([^/]+)\/embeddings$/.exec(path);
  if (deploymentEmbeddings) return { route: 'embeddings', deployment: decodeURIComponent(deploymentEmbeddings[1]!) };
  if (path === '/openai/v1/embeddings') return { route: 'embeddings' };
  if (path === '/openai/v1/chat/completions') return { route: 'v1-chat' };
  if (path === '/openai/v1/responses' || path === '/openai/responses') return { route: 'v1-responses' };
  const deploymentResponses = /^\/openai\/deployments\/([^/]+)\/responses$/.exec(path);
  if (deploymentResponses) return { route: 'v1-responses', deployment: decodeURIComponent(deploymentResponses[1]!) };
  if (path === '/models/chat/completions') return { route: 'foundry-models' };
  return undefined;
}

function azureHeaders(
  context: TargetContext,
  route: AzureRoute,
  options: { deployment: string; servedModel: string; streaming: boolean },
): Record<string, string> {
  const random = context.random;
  const region = context.scenario.region ?? 'West Europe';
  const common = {
    'apim-request-id': random.uuid(),
    'x-ms-region': region,
    'strict-transport-security': 'max-age=31536000; includeSubDomains; preload',
    'x-content-type-options': 'nosniff',
  };
  if (route === 'foundry-models') {
    return {
      'cache-control': 'no-cache',
      'access-control-allow-origin': '*',
      'access-control-expose-headers': '*',
      vary: 'access-control-request-headers',
      traceparent: `00-${random.hex(32)}-${random.hex(16)}-00`,
      'azureai-requested-tier': 'default',
      'azureai-processed-tier': 'default',
      'azureai-fe-is-streaming': options.streaming ? 'True' : 'False',
      'azureai-fe-offer-type': 'paygo',
      ...common,
    };
  }
  const headers: Record<string, string> = {
    'x-ms-aoai-configured-data-retention-days': '30',
    'skip-error-remapping': 'true',
    'x-ms-is-spilled-over': 'false',
    'x-ratelimit-key': options.deployment,
    'x-ratelimit-remaining-requests': '249',
    'x-ratelimit-limit-requests': '250',
    'x-ratelimit-reset-requests': '0',
    'x-ratelimit-remaining-tokens': '249993',
    'x-ratelimit-limit-tokens': '250000',
    'x-ratelimit-reset-tokens': '0',
    'x-ratelimit-renewalperiod-requests': '60',
    'x-ratelimit-renewalperiod-tokens': '60',
    'x-ratelimit-abusepenalty-active': 'False',
    'azureml-model-session': 'v20250225-1-161802030',
    'cmp-upstream-response-duration': String(150 + Math.floor(random.next() * 600)),
    'ms-azureml-model-time': String(200 + Math.floor(random.next() * 700)),
    'openai-version': '2020-10-01',
    'openai-processing-ms': String(200 + Math.floor(random.next() * 700)),
    'x-ms-rai-invoked': 'true',
    'x-ms-deployment-name': options.deployment,
    'azureai-fe-is-streaming': options.streaming ? 'True' : 'False',
    'azureai-fe-offer-type': 'paygo',
    'x-request-id': random.uuid(),
    ...common,
  };
  // Seen on the v1 routes: the deployment name in the body, the versioned model only here.
  if (route !== 'deployments') headers['x-ms-served-model'] = options.servedModel;
  return headers;
}

function azureError(exchange: Exchange, context: TargetContext, kind: ErrorKind, detail?: string): void {
  const headers: Record<string, string> = { 'apim-request-id': context.random.uuid(), 'x-ms-region': context.scenario.region ?? 'West Europe' };
  switch (kind) {
    case 'rate_limit': {
      const seconds = context.scenario.retryAfterSeconds ?? 1;
      headers['retry-after'] = String(seconds);
      headers['x-ratelimit-remaining-requests'] = '0';
      sendJson(exchange, 429, headers, {
        error: {
          code: '429',
          message: `Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-12-01-preview have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after ${seconds} second${seconds === 1 ? '' : 's'}.`,
        },
      });
      return;
    }
    case 'unknown_model':
      sendJson(exchange, 404, headers, {
        error: {
          code: 'DeploymentNotFound',
          message: 'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
        },
      });
      return;
    case 'not_found':
      sendJson(exchange, 404, headers, { error: { code: '404', message: 'Resource not found' } });
      return;
    case 'unavailable':
      sendJson(exchange, 503, headers, {
        error: { code: 'ServiceUnavailable', message: 'The service is temporarily unable to process your request. Please try again later.' },
      });
      return;
    case 'server_error':
      sendJson(exchange, 500, headers, { error: { code: 'InternalServerError', message: 'The server had an error processing your request.' } });
      return;
    default: {
      const { status, body } = openAiError(kind, detail);
      sendJson(exchange, status, headers, body);
    }
  }
}

/** `/azure/...`: Azure OpenAI deployments and v1 routes, and Foundry `/models`. */
export const handleAzure: TargetHandler = async (exchange, context, path) => {
  const respondError = (kind: ErrorKind, detail?: string): void => azureError(exchange, context, kind, detail);
  const matched = exchange.method === 'POST' ? matchRoute(path) : undefined;
  if (!matched) return respondError('not_found');
  if (matched.deployment && !exchange.query.get('api-version')) return respondError('not_found');
  const body = parseJsonObject(exchange.body);
  if (!body) return respondError('malformed_json');
  if (matched.route === 'embeddings') {
    const inputs = readEmbeddingInputs(body);
    if (!inputs) return respondError('missing_messages', 'input');
    const deployment = matched.deployment ?? (typeof body.model === 'string' ? body.model : '');
    if (!deployment) return respondError('missing_model');
    if (isUnknownModel(deployment)) return respondError('unknown_model', deployment);
    context.reportUpstream('azure.ai.openai');
    if (await applyFailure(exchange, context, respondError, false)) return;
    const servedModel = context.scenario.servedModel ?? (deployment.startsWith('text-embedding') ? deployment : 'text-embedding-3-small');
    const headers = azureHeaders(context, matched.deployment ? 'deployments' : 'v1-chat', { deployment, servedModel, streaming: false });
    const dimensions = typeof body.dimensions === 'number' ? body.dimensions : undefined;
    await sendAnswer(exchange, context, { 'content-type': 'application/json', ...headers }, JSON.stringify(embeddingList(inputs, servedModel, context.random, dimensions)));
    return;
  }
  if (matched.route === 'v1-responses') {
    if (matched.deployment && typeof body.model !== 'string') body.model = matched.deployment;
    const request = readResponsesRequest(body, context.scenario.text);
    if (request === 'missing_input') return respondError('missing_messages', 'input');
    if (request === 'missing_model') return respondError('missing_model');
    if (isUnknownModel(request.model)) return respondError('unknown_model', request.model);
    context.reportUpstream('azure.ai.openai');
    if (await applyFailure(exchange, context, respondError, request.stream)) return;
    const servedModel = context.scenario.servedModel ?? azureServedModel(request.model);
    const headers = azureHeaders(context, 'v1-responses', { deployment: request.model, servedModel, streaming: request.stream });
    const ids = responsesIds(context.random, request.answer);
    const options = {
      model: request.model,
      createdAt: epochSeconds(context.now),
      extra: { content_filters: [{ blocked: false, source_type: 'prompt', content_filter_raw: [], content_filter_results: PROMPT_FILTER_RESULTS[0]!.content_filter_results }] },
    };
    if (!request.stream) {
      const response = responseObject(request, ids, { ...options, status: 'completed' });
      await sendAnswer(exchange, context, { 'content-type': 'application/json', ...headers }, JSON.stringify(response, null, 2));
    } else {
      await sendStream(exchange, context, {
        headers: { 'content-type': 'text/event-stream; charset=utf-8', ...headers },
        events: responseStreamEvents(request, ids, options),
        errorEvents: [responseErrorEvent('The server had an error processing your request.')],
      });
    }
    return;
  }
  const request = readChatRequest(body, { modelRequired: matched.route !== 'deployments', text: context.scenario.text });
  if (request === 'missing_messages' || request === 'missing_model') return respondError(request);
  const deployment = matched.deployment ?? request.model;
  if (isUnknownModel(deployment)) return respondError('unknown_model', deployment);
  const foundry = matched.route === 'foundry-models';
  context.reportUpstream(foundry ? foundryVendor(request.model) : 'azure.ai.openai');
  if (await applyFailure(exchange, context, respondError, request.stream)) return;
  const servedModel = context.scenario.servedModel ?? (foundry ? request.model : azureServedModel(deployment));
  const headers = azureHeaders(context, matched.route, { deployment, servedModel, streaming: request.stream });
  if (foundry) await answerFoundry(exchange, context, request, headers);
  else await answerAzureOpenAi(exchange, context, request, servedModel, headers);
};

async function answerAzureOpenAi(
  exchange: Exchange,
  context: TargetContext,
  request: ChatRequest,
  model: string,
  headers: Record<string, string>,
): Promise<void> {
  const id = `chatcmpl-${context.random.string(29)}`;
  const toolCallId = toolCallIdFor(context.random);
  const created = epochSeconds(context.now);
  const systemFingerprint = `fp_${context.random.hex(10)}`;
  if (!request.stream) {
    const response = {
      choices: [
        {
          content_filter_results: request.answer.type === 'text' ? COMPLETION_FILTER_RESULTS : {},
          finish_reason: finishReason(request.answer),
          index: 0,
          logprobs: null,
          message: chatMessage(request.answer, toolCallId, { refusal: null, annotations: [] }),
        },
      ],
      created,
      id,
      model,
      object: 'chat.completion',
      prompt_filter_results: PROMPT_FILTER_RESULTS,
      system_fingerprint: systemFingerprint,
      usage: openAiUsage(request.promptTokens, request.completionTokens),
    };
    await sendAnswer(exchange, context, { 'content-type': 'application/json', ...headers }, JSON.stringify(response));
    return;
  }
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({
    choices,
    created,
    id,
    model,
    object: 'chat.completion.chunk',
    system_fingerprint: systemFingerprint,
    ...extra,
  });
  // Azure's first chunk carries only the prompt filter results, with empty id and model.
  const events = [dataLine({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: PROMPT_FILTER_RESULTS })];
  for (const delta of chatDeltas(request.answer, toolCallId)) {
    events.push(dataLine(chunk([{ content_filter_results: {}, delta, finish_reason: null, index: 0, logprobs: null }], { usage: null })));
  }
  events.push(
    dataLine(
      chunk([{ content_filter_results: COMPLETION_FILTER_RESULTS, delta: {}, finish_reason: finishReason(request.answer), index: 0, logprobs: null }], { usage: null }),
    ),
  );
  if (request.includeUsage) events.push(dataLine(chunk([], { usage: openAiUsage(request.promptTokens, request.completionTokens) })));
  await sendStream(exchange, context, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', ...headers },
    events,
    trailer: [dataLine('[DONE]')],
    errorEvents: [dataLine({ error: { code: 'InternalServerError', message: 'The server had an error processing your request.' } })],
  });
}

async function answerFoundry(
  exchange: Exchange,
  context: TargetContext,
  request: ChatRequest,
  headers: Record<string, string>,
): Promise<void> {
  const id = context.random.uuid();
  const toolCallId = toolCallIdFor(context.random);
  const created = epochSeconds(context.now);
  // Shape recorded from Foundry serving grok (ruby_llm cassette).
  const usage = {
    prompt_tokens: request.promptTokens,
    completion_tokens: request.completionTokens,
    total_tokens: request.promptTokens + request.completionTokens,
    audio_prompt_tokens: 0,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0, text_tokens: request.promptTokens, image_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    num_sources_used: 0,
  };
  if (!request.stream) {
    const response = {
      id,
      model: request.model,
      choices: [{ index: 0, message: chatMessage(request.answer, toolCallId), finish_reason: finishReason(request.answer) }],
      usage,
      created,
      object: 'chat.completion',
      prompt_filter_results: null,
    };
    await sendAnswer(exchange, context, { 'content-type': 'application/json', ...headers }, JSON.stringify(response));
    return;
  }
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({
    id,
    model: request.model,
    choices,
    created,
    object: 'chat.completion.chunk',
    ...extra,
  });
  const events = chatDeltas(request.answer, toolCallId).map((delta) => dataLine(chunk([{ index: 0, delta, finish_reason: null }])));
  events.push(dataLine(chunk([{ index: 0, delta: {}, finish_reason: finishReason(request.answer) }], { usage })));
  await sendStream(exchange, context, {
    headers: { 'content-type': 'text/event-stream', ...headers },
    events,
    trailer: [dataLine('[DONE]')],
    errorEvents: [dataLine({ error: { code: 'InternalServerError', message: 'The server had an error processing your request.' } })],
  });
}
