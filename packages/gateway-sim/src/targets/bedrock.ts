import { anthropicMessage, anthropicStreamEvents, readAnthropicRequest, type AnthropicRequest } from '../anthropic-messages';
import { decideAnswer, estimateTokens, isRecord, splitIntoDeltas, type CannedAnswer, type OfferedTool } from '../answer';
import { answerTokens, contentText, readChatRequest } from '../chat-completions';
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
import { encodeEventStreamMessage } from '../event-stream';
import type { Exchange } from '../exchange';
import type { Random } from '../random';

type Operation = 'converse' | 'converse-stream' | 'invoke' | 'invoke-with-response-stream';

const GEO_PREFIXES = ['us', 'eu', 'apac', 'us-gov', 'jp', 'au', 'global', 'ca'];
const ARN_PATTERN =
  /^arn:aws(?:-[a-z-]+)?:bedrock:([a-z0-9-]+):(\d{12})?:(foundation-model|inference-profile|application-inference-profile|provisioned-model|custom-model|custom-model-deployment|imported-model|default-prompt-router|prompt-router)\/(.+)$/;
const FOUNDATION_PATTERN = /^([a-z0-9-]{1,63})\.([a-z0-9][a-z0-9.:-]*)$/;

/** What the model identifier in the path says. */
interface BedrockTarget {
  modelId: string;
  /** Foundation model id, when the identifier names one (geo prefix stripped, ARN resolved). */
  foundationModel?: string;
  vendor?: string;
  /** Set for prompt routers: the model the router picked (an inference-profile ARN). */
  promptRouterInvokedModelId?: string;
}

/** Parses a (decoded) model identifier the way Bedrock accepts it, or undefined when invalid. */
function parseModelIdentifier(modelId: string, region: string, servedModel?: string): BedrockTarget | undefined {
  const arn = ARN_PATTERN.exec(modelId);
  if (arn) {
    const [, arnRegion, account, resource, rest] = arn as unknown as [string, string, string | undefined, string, string];
    if (resource === 'default-prompt-router' || resource === 'prompt-router') {
      const family = rest.startsWith('meta.') ? 'meta.llama3-1-8b-instruct-v1:0' : 'anthropic.claude-3-5-haiku-20241022-v1:0';
      const invoked = servedModel ?? family;
      const geo = arnRegion.split('-')[0] === 'eu' ? 'eu' : 'us';
      return {
        modelId,
        foundationModel: invoked,
        vendor: invoked.split('.')[0],
        promptRouterInvokedModelId: `arn:aws:bedrock:${arnRegion}:${account ?? '123456789012'}:inference-profile/${geo}.${invoked}`,
      };
    }
    if (resource === 'foundation-model' || resource === 'inference-profile') {
      const inner = parseModelIdentifier(rest, region, servedModel);
      return inner && { ...inner, modelId };
    }
    // Application profiles, provisioned and custom models are opaque: the model is not in the id.
    return { modelId };
  }
  let rest = modelId;
  const dot = rest.indexOf('.');
  if (dot > 0 && GEO_PREFIXES.includes(rest.slice(0, dot))) rest = rest.slice(dot + 1);
  const foundation = FOUNDATION_PATTERN.exec(rest);
  if (!foundation) return undefined;
  return { modelId, foundationModel: rest, vendor: foundation[1] };
}

/** The region the client signed for (SigV4 credential scope), the only region a request reveals. */
function signingRegion(headers: Record<string, string>): string {
  return /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\/bedrock\//.exec(headers.authorization ?? '')?.[1] ?? 'us-east-1';
}

const PADDING = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0';

/** One event-stream event; Bedrock pads payloads with a `p` field of varying length. */
function event(eventType: string, payload: Record<string, unknown>, random: Random): Buffer {
  return encodeEventStreamMessage({
    headers: { ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' },
    payload: Buffer.from(JSON.stringify({ ...payload, p: PADDING.slice(0, 1 + Math.floor(random.next() * PADDING.length)) })),
  });
}

function exception(exceptionType: string, message: string): Buffer {
  return encodeEventStreamMessage({
    headers: { ':exception-type': exceptionType, ':content-type': 'application/json', ':message-type': 'exception' },
    payload: Buffer.from(JSON.stringify({ message, originalStatusCode: 500, originalMessage: message })),
  });
}

const ERRORS: Record<ErrorKind, [number, string, string]> = {
  malformed_json: [400, 'SerializationException', 'Unexpected character in request body'],
  missing_messages: [400, 'ValidationException', "1 validation error detected: Value null at 'messages' failed to satisfy constraint: Member must not be null"],
  missing_model: [400, 'ValidationException', 'The provided model identifier is invalid.'],
  unknown_model: [400, 'ValidationException', 'The provided model identifier is invalid.'],
  not_found: [404, 'UnknownOperationException', ''],
  rate_limit: [429, 'ThrottlingException', 'Too many requests, please wait before trying again.'],
  unavailable: [503, 'ServiceUnavailableException', 'Bedrock is unable to process your request.'],
  server_error: [500, 'InternalServerException', 'The server encountered an internal error while processing the request.'],
};

/** Reads a Converse body: tools from `toolConfig`, a trailing `toolResult` block means "answer now". */
function readConverseRequest(body: Record<string, unknown>, text?: string) {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return undefined;
  const tools: OfferedTool[] = [];
  const toolConfig = isRecord(body.toolConfig) ? body.toolConfig : {};
  for (const entry of Array.isArray(toolConfig.tools) ? toolConfig.tools : []) {
    const spec = isRecord(entry) && isRecord(entry.toolSpec) ? entry.toolSpec : undefined;
    if (spec && typeof spec.name === 'string') {
      tools.push({ name: spec.name, parameters: isRecord(spec.inputSchema) ? spec.inputSchema.json : undefined });
    }
  }
  const last = messages[messages.length - 1];
  const toolResult =
    isRecord(last) && Array.isArray(last.content) ? last.content.find((block) => isRecord(block) && isRecord(block.toolResult)) : undefined;
  const answer = decideAnswer(
    {
      tools,
      endsWithToolResult: toolResult !== undefined,
      toolResultText: isRecord(toolResult) && isRecord(toolResult.toolResult) ? contentText(toolResult.toolResult.content) : undefined,
    },
    text,
  );
  return { answer, inputTokens: estimateTokens([body.system, messages]), outputTokens: answerTokens(answer), cachedTokens: cachedPrefixTokens(body) };
}

/** Converse `usage` with the (recorded) duplicate `…Count` cache fields; `cacheDetails` only when the prompt had a cache point. */
function converseUsage(inputTokens: number, outputTokens: number, cachedTokens = 0) {
  return {
    ...(cachedTokens > 0 ? { cacheDetails: [{ inputTokens: cachedTokens, ttl: '5m' }] } : {}),
    cacheReadInputTokenCount: 0,
    cacheReadInputTokens: 0,
    cacheWriteInputTokenCount: cachedTokens,
    cacheWriteInputTokens: cachedTokens,
    inputTokens,
    outputTokens,
    serverToolUsage: {},
    totalTokens: inputTokens + outputTokens + cachedTokens,
  };
}

/** Tokens before the first `cachePoint` block of system or messages: what a cache write would store. */
function cachedPrefixTokens(body: Record<string, unknown>): number {
  const text = JSON.stringify([body.system, body.messages]);
  const index = text.indexOf('"cachePoint"');
  return index < 0 ? 0 : estimateTokens(text.slice(0, index));
}

function converseContent(answer: CannedAnswer, toolUseId: string) {
  return answer.type === 'text' ? [{ text: answer.text }] : [{ toolUse: { toolUseId, name: answer.toolName, input: answer.arguments } }];
}

/** `/bedrock/model/{modelId}/{converse|converse-stream|invoke|invoke-with-response-stream}`: Bedrock Runtime. */
export const handleBedrock: TargetHandler = async (exchange, context, path) => {
  const requestId = context.random.uuid();
  const respondError = (kind: ErrorKind): void => {
    const [status, type, message] = ERRORS[kind];
    sendJson(
      exchange,
      status,
      { 'x-amzn-RequestId': requestId, 'x-amzn-ErrorType': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` },
      kind === 'not_found' ? { Output: { __type: 'com.amazon.coral.service#UnknownOperationException' }, Version: '1.0' } : { message },
    );
  };
  const matched = /^\/model\/([^/]+)\/(converse|converse-stream|invoke|invoke-with-response-stream)$/.exec(path);
  if (!matched || exchange.method !== 'POST') return respondError('not_found');
  const operation = matched[2] as Operation;
  let modelId: string;
  try {
    modelId = decodeURIComponent(matched[1]!);
  } catch {
    return respondError('unknown_model');
  }
  const region = signingRegion(exchange.headers);
  const target = isUnknownModel(modelId) ? undefined : parseModelIdentifier(modelId, region, context.scenario.servedModel);
  if (!target) return respondError('unknown_model');
  const body = parseJsonObject(exchange.body);
  if (!body) return respondError('malformed_json');
  context.reportUpstream(target.vendor ?? 'aws.bedrock');
  const streaming = operation === 'converse-stream' || operation === 'invoke-with-response-stream';
  if (operation === 'converse' || operation === 'converse-stream') {
    const request = readConverseRequest(body, context.scenario.text);
    if (!request) return respondError('missing_messages');
    if (await applyFailure(exchange, context, respondError, streaming)) return;
    await answerConverse(exchange, context, { ...request, streaming, requestId, target });
    return;
  }
  const invoke = readInvokeBody(body, context.scenario.text);
  if (!invoke) return respondError('missing_messages');
  if (await applyFailure(exchange, context, respondError, streaming)) return;
  await answerInvoke(exchange, context, { invoke, streaming, requestId, target });
};

async function answerConverse(
  exchange: Exchange,
  context: TargetContext,
  options: {
    answer: CannedAnswer;
    inputTokens: number;
    outputTokens: number;
    cachedTokens: number;
    streaming: boolean;
    requestId: string;
    target: BedrockTarget;
  },
): Promise<void> {
  const { answer, inputTokens, outputTokens, cachedTokens, target } = options;
  const toolUseId = `tooluse_${context.random.string(22)}`;
  const latencyMs = 300 + Math.floor(context.random.next() * 900);
  const trace = target.promptRouterInvokedModelId ? { promptRouter: { invokedModelId: target.promptRouterInvokedModelId } } : undefined;
  const stopReason = answer.type === 'text' ? 'end_turn' : 'tool_use';
  if (!options.streaming) {
    const body = {
      metrics: { latencyMs },
      output: { message: { content: converseContent(answer, toolUseId), role: 'assistant' } },
      stopReason,
      usage: converseUsage(inputTokens, outputTokens, cachedTokens),
      ...(trace ? { trace } : {}),
    };
    await sendAnswer(exchange, context, { 'Content-Type': 'application/json', 'x-amzn-RequestId': options.requestId }, JSON.stringify(body));
    return;
  }
  const random = context.random;
  const events: Buffer[] = [event('messageStart', { role: 'assistant' }, random)];
  if (answer.type === 'text') {
    for (const piece of splitIntoDeltas(answer.text)) events.push(event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: piece } }, random));
  } else {
    events.push(event('contentBlockStart', { contentBlockIndex: 0, start: { toolUse: { toolUseId, name: answer.toolName } } }, random));
    events.push(event('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: JSON.stringify(answer.arguments) } } }, random));
  }
  events.push(event('contentBlockStop', { contentBlockIndex: 0 }, random));
  events.push(event('messageStop', { stopReason }, random));
  events.push(event('metadata', { usage: converseUsage(inputTokens, outputTokens, cachedTokens), metrics: { latencyMs }, ...(trace ? { trace } : {}) }, random));
  await sendStream(exchange, context, {
    headers: { 'Content-Type': 'application/vnd.amazon.eventstream', 'x-amzn-RequestId': options.requestId },
    events,
    errorEvents: [exception('modelStreamErrorException', 'The model stream was interrupted.')],
  });
}

/** The request body families InvokeModel accepts, told apart by their fields. */
type InvokeBody =
  | { family: 'anthropic'; request: AnthropicRequest }
  | { family: 'nova' | 'llama' | 'titan' | 'mistral' | 'chat'; answer: CannedAnswer; inputTokens: number; outputTokens: number };

function readInvokeBody(body: Record<string, unknown>, text?: string): InvokeBody | undefined {
  if (typeof body.anthropic_version === 'string') {
    const request = readAnthropicRequest(body, { modelRequired: false, text });
    return typeof request === 'string' ? undefined : { family: 'anthropic', request };
  }
  const simple = (family: 'nova' | 'llama' | 'titan' | 'mistral' | 'chat', answer: CannedAnswer, input: unknown): InvokeBody => ({
    family,
    answer,
    inputTokens: estimateTokens(input),
    outputTokens: answerTokens(answer),
  });
  const textAnswer = decideAnswer({ tools: [], endsWithToolResult: false }, text);
  if (Array.isArray(body.messages) && (isRecord(body.inferenceConfig) || body.schemaVersion !== undefined)) {
    const converse = readConverseRequest({ ...body, toolConfig: body.toolConfig }, text);
    return converse
      ? { family: 'nova', answer: converse.answer, inputTokens: converse.inputTokens, outputTokens: converse.outputTokens }
      : undefined;
  }
  if (Array.isArray(body.messages)) {
    const chat = readChatRequest(body, { modelRequired: false, text });
    return typeof chat === 'string' ? undefined : simple('chat', chat.answer, body.messages);
  }
  if (typeof body.inputText === 'string') return simple('titan', textAnswer, body.inputText);
  if (typeof body.prompt === 'string') return simple(body.max_gen_len !== undefined || /<\|begin_of_text\|>/.test(body.prompt) ? 'llama' : 'mistral', textAnswer, body.prompt);
  return undefined;
}

/** Claude's Bedrock body `model`: vendor prefix and version suffix dropped. */
function claudeBodyModel(target: BedrockTarget): string {
  const foundation = target.foundationModel ?? 'anthropic.claude-3-5-sonnet-20240620-v1:0';
  return foundation.replace(/^[a-z0-9-]+\./, '').replace(/-v\d+(:\d+)?$/, '');
}

async function answerInvoke(
  exchange: Exchange,
  context: TargetContext,
  options: { invoke: InvokeBody; streaming: boolean; requestId: string; target: BedrockTarget },
): Promise<void> {
  const { invoke, target } = options;
  const random = context.random;
  const inputTokens = invoke.family === 'anthropic' ? invoke.request.inputTokens : invoke.inputTokens;
  const outputTokens = invoke.family === 'anthropic' ? invoke.request.outputTokens : invoke.outputTokens;
  const latency = 300 + Math.floor(random.next() * 900);
  const invocationMetrics = { inputTokenCount: inputTokens, outputTokenCount: outputTokens, invocationLatency: latency, firstByteLatency: Math.floor(latency / 3) };
  const shape = { id: `msg_bdrk_01${random.string(22)}`, model: claudeBodyModel(target), toolUseId: `toolu_bdrk_01${random.string(22)}` };
  if (!options.streaming) {
    let body: unknown;
    if (invoke.family === 'anthropic') body = anthropicMessage(invoke.request, shape);
    else body = invokeBody(invoke, random, context.now);
    await sendAnswer(
      exchange,
      context,
      {
        'Content-Type': 'application/json',
        'x-amzn-RequestId': options.requestId,
        'X-Amzn-Bedrock-Invocation-Latency': String(latency),
        'X-Amzn-Bedrock-Output-Token-Count': String(outputTokens),
        'X-Amzn-Bedrock-Input-Token-Count': String(inputTokens),
      },
      JSON.stringify(body),
    );
    return;
  }
  const inner: Array<Record<string, unknown>> =
    invoke.family === 'anthropic'
      ? anthropicStreamEvents(invoke.request, shape)
          .filter(([name]) => name !== 'ping')
          .map(([, data]) => data)
      : invokeStreamEvents(invoke);
  const last = inner[inner.length - 1]!;
  inner[inner.length - 1] = { ...last, 'amazon-bedrock-invocationMetrics': invocationMetrics };
  const events = inner.map((payload) => event('chunk', { bytes: Buffer.from(JSON.stringify(payload)).toString('base64') }, random));
  await sendStream(exchange, context, {
    headers: {
      'Content-Type': 'application/vnd.amazon.eventstream',
      'x-amzn-RequestId': options.requestId,
      'X-Amzn-Bedrock-Content-Type': 'application/json',
    },
    events,
    errorEvents: [exception('modelStreamErrorException', 'The model stream was interrupted.')],
  });
}

function invokeBody(invoke: Exclude<InvokeBody, { family: 'anthropic' }>, random: Random, now: number): unknown {
  const answerText = invoke.answer.type === 'text' ? invoke.answer.text : JSON.stringify(invoke.answer.arguments);
  switch (invoke.family) {
    case 'nova':
      return {
        output: { message: { content: converseContent(invoke.answer, `tooluse_${random.string(22)}`), role: 'assistant' } },
        stopReason: invoke.answer.type === 'text' ? 'end_turn' : 'tool_use',
        usage: { inputTokens: invoke.inputTokens, outputTokens: invoke.outputTokens, totalTokens: invoke.inputTokens + invoke.outputTokens, cacheReadInputTokenCount: 0, cacheWriteInputTokenCount: 0 },
      };
    case 'llama':
      return { generation: answerText, prompt_token_count: invoke.inputTokens, generation_token_count: invoke.outputTokens, stop_reason: 'stop' };
    case 'titan':
      return { inputTextTokenCount: invoke.inputTokens, results: [{ tokenCount: invoke.outputTokens, outputText: answerText, completionReason: 'FINISH' }] };
    case 'mistral':
      return { outputs: [{ text: answerText, stop_reason: 'stop' }] };
    default:
      // AI21, DeepSeek, OpenAI gpt-oss and others answer InvokeModel in an OpenAI-shaped body.
      return {
        id: `chatcmpl-${random.hex(32)}`,
        object: 'chat.completion',
        created: epochSeconds(now),
        choices: [{ index: 0, message: { role: 'assistant', content: answerText }, finish_reason: 'stop' }],
        usage: { prompt_tokens: invoke.inputTokens, completion_tokens: invoke.outputTokens, total_tokens: invoke.inputTokens + invoke.outputTokens },
      };
  }
}

function invokeStreamEvents(invoke: Exclude<InvokeBody, { family: 'anthropic' }>): Array<Record<string, unknown>> {
  const answerText = invoke.answer.type === 'text' ? invoke.answer.text : JSON.stringify(invoke.answer.arguments);
  const pieces = splitIntoDeltas(answerText);
  switch (invoke.family) {
    case 'nova':
      return [
        { messageStart: { role: 'assistant' } },
        ...pieces.map((piece) => ({ contentBlockDelta: { delta: { text: piece }, contentBlockIndex: 0 } })),
        { contentBlockStop: { contentBlockIndex: 0 } },
        { messageStop: { stopReason: 'end_turn' } },
        { metadata: { usage: { inputTokens: invoke.inputTokens, outputTokens: invoke.outputTokens }, metrics: {}, trace: {} } },
      ];
    case 'llama':
      return pieces.map((piece, index) => ({
        generation: piece,
        prompt_token_count: index === 0 ? invoke.inputTokens : null,
        generation_token_count: index + 1,
        stop_reason: index === pieces.length - 1 ? 'stop' : null,
      }));
    case 'titan':
      return pieces.map((piece, index) => ({
        outputText: piece,
        index: 0,
        totalOutputTextTokenCount: index === pieces.length - 1 ? invoke.outputTokens : null,
        completionReason: index === pieces.length - 1 ? 'FINISH' : null,
        inputTextTokenCount: index === 0 ? invoke.inputTokens : null,
      }));
    case 'mistral':
      return pieces.map((piece, index) => ({ outputs: [{ text: piece, stop_reason: index === pieces.length - 1 ? 'stop' : null }] }));
    default:
      return pieces.map((piece, index) => ({
        choices: [{ index: 0, delta: index === 0 ? { role: 'assistant', content: piece } : { content: piece }, finish_reason: index === pieces.length - 1 ? 'stop' : null }],
      }));
  }
}
