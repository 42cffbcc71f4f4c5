import { INVALID_SPAN_CONTEXT, trace } from '@opentelemetry/api';
import {
  createInMemorySpanExporter,
  createSimpleSpanProcessor,
  createTracerProvider,
} from '@servedby/test-otel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { errorTypeOf, modelCallAttributes, modelSpanName, resolveInstrumentation, serverOfUrl, setRouteOnSpan } from './instrumentation';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('modelSpanName', () => {
  it('follows "{operation} {model}"', () => {
    expect(modelSpanName('chat', 'gpt-4o')).toBe('chat gpt-4o');
    expect(modelSpanName('embeddings')).toBe('embeddings');
    expect(modelSpanName('chat', '')).toBe('chat');
  });
});

describe('modelCallAttributes', () => {
  it('maps every field to its semconv attribute', () => {
    expect(
      modelCallAttributes({
        operation: 'chat',
        requestModel: 'gpt-4o',
        responseModel: 'gpt-4o-2024-08-06',
        responseId: 'chatcmpl-1',
        finishReasons: ['stop'],
        usage: { inputTokens: 10, outputTokens: 5, cacheReadInputTokens: 4, cacheCreationInputTokens: 2, reasoningTokens: 1 },
        serverAddress: 'api.openai.com',
        serverPort: 443,
        errorType: 'RateLimitError',
      }),
    ).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.response.id': 'chatcmpl-1',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 5,
      'gen_ai.usage.cache_read.input_tokens': 4,
      'gen_ai.usage.cache_creation.input_tokens': 2,
      'gen_ai.usage.reasoning.output_tokens': 1,
      'server.address': 'api.openai.com',
      'server.port': 443,
      'error.type': 'RateLimitError',
    });
  });

  it('leaves out undefined and invalid values', () => {
    expect(modelCallAttributes({ usage: { inputTokens: Number.NaN, outputTokens: 0 }, finishReasons: [] })).toEqual({
      'gen_ai.usage.output_tokens': 0,
    });
    expect(modelCallAttributes({})).toEqual({});
  });
});

describe('resolveInstrumentation', () => {
  it('uses the given providers and defaults semconv to both', () => {
    const exporter = createInMemorySpanExporter();
    const tracerProvider = createTracerProvider({ spanProcessors: [createSimpleSpanProcessor(exporter)] });
    const resolved = resolveInstrumentation({ tracerProvider }, { name: '@servedby/test', version: '1.2.3' });
    resolved.tracer.startSpan('x').end();
    const [span] = exporter.getFinishedSpans();
    expect(span?.instrumentationScope).toMatchObject({ name: '@servedby/test', version: '1.2.3' });
    expect(resolved.semconv).toBe('both');
    expect(resolved.captureContent).toBe(false);
  });

  it('reads OTEL_SEMCONV_STABILITY_OPT_IN when no option is given, and the option wins', () => {
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', 'http,gen_ai_latest_experimental');
    expect(resolveInstrumentation(undefined, { name: 'a', version: '1' }).semconv).toBe('latest');
    expect(resolveInstrumentation({ semconv: 'legacy' }, { name: 'a', version: '1' }).semconv).toBe('legacy');
  });

  it('reuses one set of histograms per meter', () => {
    const first = resolveInstrumentation({ captureContent: true }, { name: 'a', version: '1' });
    const second = resolveInstrumentation(undefined, { name: 'a', version: '1' });
    expect(first.captureContent).toBe(true);
    expect(second.metrics).toBe(first.metrics);
  });
});

describe('setRouteOnSpan', () => {
  it('sets the route attributes and never throws on a broken span', () => {
    const exporter = createInMemorySpanExporter();
    const tracerProvider = createTracerProvider({ spanProcessors: [createSimpleSpanProcessor(exporter)] });
    const span = tracerProvider.getTracer('t').startSpan('chat');
    setRouteOnSpan(span, { system: 'openrouter', gateway: 'openrouter', upstream: 'together', evidence: ['body.provider'] }, { semconv: 'latest' });
    span.end();
    const attributes = exporter.getFinishedSpans()[0]!.attributes;
    expect(attributes['gen_ai.provider.name']).toBe('openrouter');
    expect(attributes['gen_ai.system']).toBeUndefined();
    expect(attributes['gen_ai.route.gateway']).toBe('openrouter');
    expect(attributes['gen_ai.route.upstream']).toBe('together');

    const broken = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    broken.setAttributes = () => { throw new Error('boom'); };
    expect(() => setRouteOnSpan(broken, { system: 'openai', evidence: [] })).not.toThrow();
  });
});

describe('serverOfUrl', () => {
  it.each([
    ['https://openrouter.ai/api/v1', { serverAddress: 'openrouter.ai', serverPort: 443 }],
    ['http://127.0.0.1:4100/litellm/v1', { serverAddress: '127.0.0.1', serverPort: 4100 }],
    ['http://localhost/v1', { serverAddress: 'localhost', serverPort: 80 }],
    ['https://res.openai.azure.com/openai/deployments/d/chat/completions?api-key=SECRET', { serverAddress: 'res.openai.azure.com', serverPort: 443 }],
    ['not a url', {}],
    [undefined, {}],
  ])('%s', (url, expected) => {
    expect(serverOfUrl(url)).toEqual(expected);
    expect(serverOfUrl(url)).toEqual(expected);
  });

  it('returns a fresh object each time, so callers may mutate it', () => {
    const first = serverOfUrl('https://api.openai.com/v1');
    first.serverPort = 1;
    expect(serverOfUrl('https://api.openai.com/v1').serverPort).toBe(443);
  });
});

describe('errorTypeOf', () => {
  class ThrottlingException extends Error {
    override name = 'ThrottlingException';
  }
  class CustomFailure extends Error {}
  it.each([
    [Object.assign(new Error('rate limited'), { name: 'AI_APICallError', statusCode: 429 }), '429'],
    [new ThrottlingException('slow down'), 'ThrottlingException'],
    [new DOMException('aborted', 'AbortError'), 'AbortError'],
    [new CustomFailure('x'), 'CustomFailure'],
    [new Error('plain'), '_OTHER'],
    [{}, '_OTHER'],
    ['a string', '_OTHER'],
    [undefined, '_OTHER'],
  ])('%s → %s', (error, expected) => {
    expect(errorTypeOf(error)).toBe(expected);
  });
});
