import http2 from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { EventStreamCodec } from '@smithy/eventstream-codec';

/**
 * A small Bedrock Runtime wire server for tests (HTTP/2 cleartext, as the SDK speaks by
 * default): JSON and `application/vnd.amazon.eventstream` responses in each vendor's native
 * shape, AWS error responses, and per-request scenarios via the `x-stub-scenario` header.
 * The shared gateway-sim covers the common paths (see gateway-sim.test.ts); this stub keeps
 * the cases it has no scenario for: ModelNotReadyException, AccessDeniedException, a throttle
 * that succeeds on retry, fixed token counts with cache reads, and a hang to abort.
 */
export interface BedrockStub {
  /** Base URL to pass as the client's `endpoint`. */
  url: string;
  /** Every request's path and headers, in arrival order. */
  requests: Array<{ path: string; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** Scenario names understood by the stub. */
export type BedrockStubScenario =
  | 'throttle' // 429 ThrottlingException, always
  | 'throttle-once' // 429 on the first attempt of a request id, then success
  | 'validation' // 400 ValidationException
  | 'model-not-ready' // 429 ModelNotReadyException
  | 'access-denied' // 403 AccessDeniedException
  | 'midstream-error' // stream: two events, then a modelStreamErrorException
  | 'slow-stream' // stream: 20 ms between events
  | 'hang'; // never answers (until the client gives up or the stub closes)

const encoder = new TextEncoder();
const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => encoder.encode(text),
);

function eventMessage(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: encoder.encode(JSON.stringify({ ...(payload as object), p: 'abcdefgh' })),
  });
}

function exceptionMessage(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: exceptionType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'exception' },
    },
    body: encoder.encode(JSON.stringify({ message })),
  });
}

let requestCounter = 0;
const nextRequestId = () => `stub-${process.pid}-${++requestCounter}-0000-0000`;

/** The foundation model a (possibly geo-prefixed or ARN) model ID names, for choosing a body shape. */
function foundationOf(modelId: string): string {
  const resource = modelId.startsWith('arn:') ? modelId.split('/').slice(1).join('/') : modelId;
  return resource.replace(/^(us|eu|apac|us-gov|jp|au|global)\./, '');
}

const PROMPT_ROUTER_CHOICE = 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0';

function converseBody(modelId: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    output: { message: { role: 'assistant', content: [{ text: 'Hello from the stub.' }] } },
    stopReason: 'end_turn',
    usage: { inputTokens: 12, outputTokens: 5, totalTokens: 21, cacheReadInputTokens: 4, cacheWriteInputTokens: 0 },
    metrics: { latencyMs: 42 },
  };
  if (modelId.includes(':default-prompt-router/') || modelId.includes(':prompt-router/')) {
    body.trace = { promptRouter: { invokedModelId: PROMPT_ROUTER_CHOICE } };
  }
  return body;
}

function invokeBody(modelId: string, requestId: string): { body: Record<string, unknown>; headers: Record<string, string> } {
  const model = foundationOf(modelId);
  const usageHeaders = {
    'x-amzn-bedrock-input-token-count': '13',
    'x-amzn-bedrock-output-token-count': '35',
    'x-amzn-bedrock-invocation-latency': '1308',
  };
  if (model.startsWith('anthropic.')) {
    return {
      headers: usageHeaders,
      body: {
        id: `msg_bdrk_${requestId.replaceAll('-', '')}`,
        type: 'message',
        role: 'assistant',
        model: 'claude-3-5-sonnet-20240620',
        content: [{ type: 'text', text: 'Hello!' }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 13, output_tokens: 35 },
      },
    };
  }
  if (model.startsWith('amazon.titan-embed') || model.startsWith('cohere.embed')) {
    return {
      headers: { 'x-amzn-bedrock-input-token-count': '6', 'x-amzn-bedrock-invocation-latency': '20' },
      body: model.startsWith('cohere.')
        ? { id: 'emb-1', embeddings: [[0.1, 0.2, 0.3]], response_type: 'embeddings_floats', texts: ['hi'] }
        : { embedding: [0.1, 0.2, 0.3], inputTextTokenCount: 6 },
    };
  }
  if (model.startsWith('amazon.')) {
    return {
      headers: usageHeaders,
      body: {
        output: { message: { role: 'assistant', content: [{ text: 'Hello!' }] } },
        stopReason: 'end_turn',
        usage: { inputTokens: 13, outputTokens: 35, totalTokens: 48 },
      },
    };
  }
  if (model.startsWith('meta.')) {
    return { headers: usageHeaders, body: { generation: 'Hello!', prompt_token_count: 13, generation_token_count: 35, stop_reason: 'stop' } };
  }
  if (model.startsWith('mistral.')) {
    return { headers: usageHeaders, body: { outputs: [{ text: 'Hello!', stop_reason: 'stop' }] } };
  }
  // AI21, OpenAI gpt-oss, DeepSeek and others answer in an OpenAI-shaped body.
  return {
    headers: usageHeaders,
    body: {
      id: `chatcmpl-${requestId}`,
      object: 'chat.completion',
      model: model.startsWith('ai21.') ? 'jamba-1.5-mini' : model,
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 13, completion_tokens: 35, total_tokens: 48 },
    },
  };
}

function converseStreamEvents(modelId: string): Uint8Array[] {
  const body = converseBody(modelId);
  const metadata: Record<string, unknown> = { usage: body.usage, metrics: body.metrics };
  if (body.trace) metadata.trace = body.trace;
  return [
    eventMessage('messageStart', { role: 'assistant' }),
    eventMessage('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hello ' } }),
    eventMessage('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'from the stub.' } }),
    eventMessage('contentBlockStop', { contentBlockIndex: 0 }),
    eventMessage('messageStop', { stopReason: 'end_turn' }),
    eventMessage('metadata', metadata),
  ];
}

function chunk(payload: unknown): Uint8Array {
  return eventMessage('chunk', { bytes: Buffer.from(JSON.stringify(payload)).toString('base64') });
}

function invokeStreamEvents(modelId: string, requestId: string): Uint8Array[] {
  const model = foundationOf(modelId);
  const metrics = { inputTokenCount: 13, outputTokenCount: 35, invocationLatency: 900, firstByteLatency: 200 };
  if (model.startsWith('anthropic.')) {
    return [
      chunk({
        type: 'message_start',
        message: {
          id: `msg_bdrk_${requestId.replaceAll('-', '')}`,
          type: 'message',
          role: 'assistant',
          model: 'claude-3-5-sonnet-20240620',
          content: [],
          stop_reason: null,
          usage: { input_tokens: 13, output_tokens: 1 },
        },
      }),
      chunk({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      chunk({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello!' } }),
      chunk({ type: 'content_block_stop', index: 0 }),
      chunk({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 35 } }),
      chunk({ type: 'message_stop', 'amazon-bedrock-invocationMetrics': metrics }),
    ];
  }
  if (model.startsWith('meta.')) {
    return [
      chunk({ generation: 'Hello', prompt_token_count: 13, generation_token_count: 1, stop_reason: null }),
      chunk({ generation: '!', prompt_token_count: null, generation_token_count: 35, stop_reason: 'stop', 'amazon-bedrock-invocationMetrics': metrics }),
    ];
  }
  return [
    chunk({ outputs: [{ text: 'Hello', stop_reason: null }] }),
    chunk({ outputs: [{ text: '!', stop_reason: 'stop' }], 'amazon-bedrock-invocationMetrics': metrics }),
  ];
}

const ERRORS: Record<string, { status: number; type: string; message: string }> = {
  throttle: { status: 429, type: 'ThrottlingException', message: 'Too many requests, please wait before trying again.' },
  'throttle-once': { status: 429, type: 'ThrottlingException', message: 'Too many requests, please wait before trying again.' },
  validation: { status: 400, type: 'ValidationException', message: 'The provided model identifier is invalid.' },
  'model-not-ready': { status: 429, type: 'ModelNotReadyException', message: 'Model is not ready for inference.' },
  'access-denied': { status: 403, type: 'AccessDeniedException', message: 'You do not have access to the model.' },
};

/** Starts the stub on a free loopback port. */
export async function startBedrockStub(): Promise<BedrockStub> {
  const requests: BedrockStub['requests'] = [];
  const throttledOnce = new Set<string>();
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const path = String(headers[':path'] ?? '');
    requests.push({ path, headers: { ...headers } });
    stream.on('error', () => {});
    const chunks: Buffer[] = [];
    stream.on('data', (data: Buffer) => chunks.push(data));
    stream.on('end', () => {
      const match = /^\/model\/([^/]+)\/(converse|converse-stream|invoke|invoke-with-response-stream)$/.exec(path.split('?')[0] ?? '');
      const requestId = nextRequestId();
      if (!match) {
        stream.respond({ ':status': 404, 'x-amzn-requestid': requestId, 'x-amzn-errortype': 'UnknownOperationException' });
        stream.end('{}');
        return;
      }
      const modelId = decodeURIComponent(match[1] ?? '');
      const operation = match[2];
      const scenario = String(headers['x-stub-scenario'] ?? '');
      const invocationId = String(headers['amz-sdk-invocation-id'] ?? '');
      if (scenario === 'hang') return;
      const failure = ERRORS[scenario];
      if (failure && !(scenario === 'throttle-once' && throttledOnce.has(invocationId))) {
        throttledOnce.add(invocationId);
        stream.respond({
          ':status': failure.status,
          'content-type': 'application/json',
          'x-amzn-requestid': requestId,
          'x-amzn-errortype': `${failure.type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
        });
        stream.end(JSON.stringify({ message: failure.message }));
        return;
      }
      if (operation === 'converse' || operation === 'invoke') {
        const { body, headers: extraHeaders } =
          operation === 'converse' ? { body: converseBody(modelId), headers: {} } : invokeBody(modelId, requestId);
        stream.respond({ ':status': 200, 'content-type': 'application/json', 'x-amzn-requestid': requestId, ...extraHeaders });
        stream.end(JSON.stringify(body));
        return;
      }
      let events = operation === 'converse-stream' ? converseStreamEvents(modelId) : invokeStreamEvents(modelId, requestId);
      if (scenario === 'midstream-error') {
        events = [...events.slice(0, 2), exceptionMessage('modelStreamErrorException', 'The model stream failed.')];
      }
      stream.respond({
        ':status': 200,
        'content-type': 'application/vnd.amazon.eventstream',
        'x-amzn-requestid': requestId,
        'x-amzn-bedrock-content-type': 'application/json',
      });
      const gap = scenario === 'slow-stream' ? 20 : 0;
      let index = 0;
      const writeNext = () => {
        if (stream.destroyed || stream.closed) return;
        const event = events[index++];
        if (event === undefined) {
          stream.end();
          return;
        }
        stream.write(event);
        if (gap > 0) setTimeout(writeNext, gap);
        else setImmediate(writeNext);
      };
      writeNext();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
