import {
  context,
  createContextKey,
  diag,
  SpanKind,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import {
  beforeSpanEnds,
  modelCallAttributes,
  modelSpanName,
  recordModelCall,
  resolveInstrumentation,
  type ResolvedInstrumentation,
  type ServedbyOptions,
  type TokenUsage,
  errorTypeOf,
  exceptionForSpan,
} from '@servedby/conventions';
import {
  errorResponseOf,
  errorTypeOfFinishReason,
  INSTRUMENTATION_SCOPE,
  isRecord,
  modelEndpointUrl,
  spanNameOf,
  toFinishReason,
  toTokenUsage,
  withoutSecrets,
} from './model-call';

/**
 * Marks a context in which a servedby hook already attributes the current model call, so a
 * second hook on the same call (telemetry integration plus middleware, or the middleware twice
 * in a chain) stays out of the way instead of recording the call twice.
 */
export const ROUTE_ATTRIBUTED_KEY = createContextKey('servedby.vercel-ai.route-attributed');

/**
 * What the middleware can see that AI SDK telemetry events cannot: the provider's endpoint
 * (Bedrock region) and the raw stream chunks (OpenRouter `provider`, Vercel `provider_metadata`
 * on OpenAI-compatible streams). When `routeTelemetry` owns the call, it puts a sink under
 * {@link ROUTE_ATTRIBUTED_KEY} and the middleware reports these facts to it instead of making a span.
 */
export interface RouteFactsSink {
  /** Adds facts about the current model call. */
  observe(facts: { url?: string; responseBody?: unknown }): void;
}

function isFactsSink(value: unknown): value is RouteFactsSink {
  return isRecord(value) && typeof value.observe === 'function';
}

// Stream chunks kept for deriveRoute: route fields sit in the first chunks (OpenRouter
// `provider`) or the last ones (usage, Vercel `provider_metadata`). Bounded either way.
const HEAD_CHUNKS = 4;
const TAIL_CHUNKS = 4;

/**
 * The least an AI SDK language model (spec v2, v3 or v4) shows the middleware. Only `provider`
 * and `modelId` are read; the rest is passed through untouched.
 */
export interface RouteModelLike {
  readonly provider: string;
  readonly modelId: string;
}

/**
 * A language model middleware for `wrapLanguageModel` that puts the route on every model call.
 * Structurally compatible with `LanguageModelV2Middleware` (ai 5), `LanguageModelV3Middleware`
 * (ai 6) and `LanguageModelMiddleware` / `LanguageModelV4Middleware` (ai 7), and with Mastra's
 * model wrappers.
 */
export interface RouteLanguageModelMiddleware {
  /**
   * `v3`: ai 6 requires that literal; ai 7 accepts any string and ai 5 ignores it. The hooks
   * themselves have the same shape in every spec version.
   */
  readonly specificationVersion: 'v3';
  /** Asks stream calls for raw chunks (removed again before the caller sees them unless it asked too). */
  // biome-ignore lint: the params type differs per spec version and is passed through as is.
  transformParams(options: { type: 'generate' | 'stream'; params: any; model: RouteModelLike }): Promise<any>;
  /** Wraps `doGenerate`: attributes the call from the result (headers, `providerMetadata`, response model). */
  // biome-ignore lint: the result type differs per spec version and is passed through as is.
  wrapGenerate(options: { doGenerate: () => PromiseLike<any>; params: unknown; model: RouteModelLike }): Promise<any>;
  /** Wraps `doStream`: reads headers at once and `providerMetadata` from the `finish` part, before passing it on. */
  // biome-ignore lint: the result type differs per spec version and is passed through as is.
  wrapStream(options: { doStream: () => PromiseLike<any>; params: unknown; model: RouteModelLike }): Promise<any>;
}

/** Options of {@link routeMiddleware}: the options every servedby plugin takes. */
export type RouteMiddlewareOptions = ServedbyOptions;

/**
 * Creates a language model middleware that records which gateway, upstream, served model and
 * region answered every call of the wrapped model, for AI SDK 5, 6 and 7 and any framework that
 * runs AI SDK models (Mastra).
 *
 * When the call runs inside an AI SDK model-call span (`ai.generateText.doGenerate`,
 * `ai.streamText.doStream`, or `chat {model}` of `@ai-sdk/otel`), the route goes onto that span;
 * otherwise the middleware makes its own CLIENT span `chat {model}`.
 *
 * @example
 * ```ts
 * import { wrapLanguageModel, generateText } from 'ai';
 * import { routeMiddleware } from '@servedby/vercel-ai';
 *
 * const model = wrapLanguageModel({ model: openai.chat('gpt-4o'), middleware: routeMiddleware() });
 * await generateText({ model, prompt: 'Hi', experimental_telemetry: { isEnabled: true } });
 * ```
 */
export function routeMiddleware(options?: RouteMiddlewareOptions): RouteLanguageModelMiddleware {
  let instrumentation: ResolvedInstrumentation | undefined;
  // Resolved lazily: the user may register the global providers after building the model.
  const resolve = (): ResolvedInstrumentation =>
    (instrumentation ??= resolveInstrumentation(options, INSTRUMENTATION_SCOPE));

  // Params objects whose caller did not ask for raw chunks: those are dropped from the stream again.
  const rawChunksAddedFor = new WeakSet<object>();

  return {
    specificationVersion: 'v3',

    async transformParams({ type, params }) {
      if (type !== 'stream' || !isRecord(params) || params.includeRawChunks === true) return params;
      const transformed = { ...params, includeRawChunks: true };
      rawChunksAddedFor.add(transformed);
      return transformed;
    },

    async wrapGenerate({ doGenerate, params, model }) {
      const sink = context.active().getValue(ROUTE_ATTRIBUTED_KEY);
      if (isFactsSink(sink)) {
        reportToSink(sink, { url: modelEndpointUrl(model) });
        return doGenerate();
      }
      const call = startModelCall(resolve, model, params, 'generate');
      if (!call) return doGenerate();
      let result: unknown;
      try {
        result = await context.with(call.context, doGenerate);
      } catch (error) {
        call.fail(error);
        throw error;
      }
      call.succeed(result);
      return result;
    },

    async wrapStream({ doStream, params, model }) {
      const dropRawChunks = isRecord(params) && rawChunksAddedFor.has(params);
      const sink = context.active().getValue(ROUTE_ATTRIBUTED_KEY);
      if (isFactsSink(sink)) {
        reportToSink(sink, { url: modelEndpointUrl(model) });
        const result = await doStream();
        return observeRawChunks(result, dropRawChunks, (chunks) => reportToSink(sink, { responseBody: chunks }));
      }
      const call = startModelCall(resolve, model, params, 'stream');
      if (!call) return dropRawChunks ? observeRawChunks(await doStream(), true, () => {}) : doStream();
      let result: unknown;
      try {
        result = await context.with(call.context, doStream);
      } catch (error) {
        call.fail(error);
        throw error;
      }
      return call.observeStream(result, dropRawChunks);
    },
  };
}

function reportToSink(sink: RouteFactsSink, facts: { url?: string; responseBody?: unknown }): void {
  try {
    sink.observe(facts);
  } catch (error) {
    diag.warn('servedby: reporting route facts failed', error);
  }
}

/** Keeps a bounded sample of raw chunks; optionally drops them from what the caller reads. */
function createChunkSample(): { add(chunk: unknown): void; values(): unknown[] } {
  const head: unknown[] = [];
  const tail: unknown[] = [];
  return {
    add(chunk) {
      if (head.length < HEAD_CHUNKS) head.push(chunk);
      else {
        tail.push(chunk);
        if (tail.length > TAIL_CHUNKS) tail.shift();
      }
    },
    values: () => [...head, ...tail],
  };
}

/** For the telemetry sink: the stream passes through, raw chunks are sampled and reported at `finish`. */
function observeRawChunks(result: unknown, dropRawChunks: boolean, report: (chunks: unknown[]) => void): unknown {
  try {
    if (!isRecord(result) || !(result.stream instanceof ReadableStream)) return result;
    const sample = createChunkSample();
    const stream = observeStream(result.stream as ReadableStream<unknown>, {
      onPart(part) {
        if (part.type === 'raw') sample.add(part.rawValue);
        else if (part.type === 'finish') report(sample.values());
      },
      onEnd() {},
      onError() {},
      onCancel() {},
      skip: dropRawChunks ? (part) => part.type === 'raw' : undefined,
    });
    return { ...result, stream };
  } catch (error) {
    diag.warn('servedby: observing a model stream failed', error);
    return result;
  }
}

interface ModelCall {
  /** The context to run the provider call in (own span active, marked as attributed). */
  context: Context;
  succeed(result: unknown): void;
  fail(error: unknown): void;
  /** Returns `result` with its stream observed, or `result` itself when it has none. */
  observeStream(result: unknown, dropRawChunks: boolean): unknown;
}

/** What the middleware learned about one call so far. */
interface CallFacts {
  url?: string;
  headers?: Record<string, string>;
  responseModel?: string;
  responseId?: string;
  providerMetadata?: Record<string, unknown>;
  responseBody?: unknown;
  status?: number;
  finishReason?: string;
  usage?: TokenUsage;
  errorType?: string;
  error?: unknown;
  /** `true` once the model answered (a result, or the stream started), even without HTTP details. */
  answered?: boolean;
}

function startModelCall(
  resolve: () => ResolvedInstrumentation,
  model: RouteModelLike,
  params: unknown,
  kind: 'generate' | 'stream',
): ModelCall | undefined {
  try {
    const parentContext = context.active();
    if (parentContext.getValue(ROUTE_ATTRIBUTED_KEY) === true) return undefined;
    const { tracer, metrics, semconv, providerName } = resolve();
    const requestModel = typeof model.modelId === 'string' ? model.modelId : undefined;
    const providerHint = typeof model.provider === 'string' ? model.provider : undefined;
    const requestBody = isRecord(params) && isRecord(params.providerOptions) ? { providerOptions: params.providerOptions } : undefined;
    const activeSpan = trace.getActiveSpan();
    const ownsSpan = !(activeSpan && isModelCallSpan(activeSpan));
    const span: Span = ownsSpan
      ? tracer.startSpan(
          modelSpanName('chat', requestModel),
          {
            kind: SpanKind.CLIENT,
            attributes: { ...modelCallAttributes({ operation: 'chat', requestModel }), 'gen_ai.request.stream': kind === 'stream' },
          },
          parentContext,
        )
      : (activeSpan as Span);
    const callContext = (ownsSpan ? trace.setSpan(parentContext, span) : parentContext).setValue(ROUTE_ATTRIBUTED_KEY, true);
    const startTime = performance.now();
    const facts: CallFacts = { url: modelEndpointUrl(model) };
    let finished = false;
    let finalAttributes: Attributes | undefined;

    if (!ownsSpan) {
      // The AI SDK sets its own provider and response attributes right before it ends its span.
      beforeSpanEnds(span, () => {
        if (finalAttributes) span.setAttributes(finalAttributes);
      });
    }

    const finish = (): void => {
      if (finished) return;
      finished = true;
      try {
        // The one record step; the route's served model wins over the stream's `response-metadata`.
        const recorded = recordModelCall(
          span,
          {
            exchange: {
              url: facts.url,
              requestModel,
              responseHeaders: facts.headers,
              responseBody: facts.responseBody,
              providerMetadata: facts.providerMetadata,
              providerHint,
              status: facts.status,
              ...(facts.answered ? { responseReceived: true } : {}),
              // The routing preferences the call carried (AI Gateway `providerOptions.gateway`).
              ...(requestBody ? { request: { body: requestBody } } : {}),
            },
            requestModel,
            responseModel: facts.responseModel,
            responseId: facts.responseId,
            finishReasons: facts.finishReason ? [facts.finishReason] : undefined,
            usage: facts.usage,
            durationSeconds: (performance.now() - startTime) / 1000,
            error: facts.error,
            errorType: facts.errorType,
            parentContext,
          },
          { metrics, semconv, providerName },
        );
        finalAttributes = recorded.attributes;
      } catch (error) {
        diag.warn('servedby: attributing a model call failed', error);
      } finally {
        if (ownsSpan) span.end();
      }
    };

    const noteError = (error: unknown): void => {
      facts.error ??= error;
      facts.errorType ??= errorTypeOf(error);
      const response = errorResponseOf(error);
      if (response) {
        facts.url = withoutSecrets(response.url) ?? facts.url;
        facts.status = response.status;
        facts.headers = response.headers ?? facts.headers;
        facts.responseBody = response.body ?? facts.responseBody;
      }
      // Name, scrubbed message and stack: an AI SDK error message carries the request URL.
      if (ownsSpan && error instanceof Error) span.recordException(exceptionForSpan(error));
    };

    return {
      context: callContext,
      succeed(result) {
        try {
          facts.answered = true;
          readResult(facts, result);
          if (isRecord(result)) {
            facts.finishReason = toFinishReason(result.finishReason);
            facts.usage = toTokenUsage(result.usage);
            if (isRecord(result.providerMetadata)) facts.providerMetadata = result.providerMetadata;
            const response = isRecord(result.response) ? result.response : undefined;
            if (response && response.body !== undefined) facts.responseBody = response.body;
          }
        } catch (error) {
          diag.warn('servedby: reading a model result failed', error);
        }
        finish();
      },
      fail(error) {
        try {
          noteError(error);
        } catch (readError) {
          diag.warn('servedby: reading a model error failed', readError);
        }
        finish();
      },
      observeStream(result, dropRawChunks) {
        try {
          // The stream exists: the model answered, whatever happens to the stream later.
          facts.answered = true;
          readResult(facts, result);
          if (!isRecord(result) || !(result.stream instanceof ReadableStream)) {
            finish();
            return result;
          }
          const sample = createChunkSample();
          const observed = observeStream(result.stream as ReadableStream<unknown>, {
            skip: dropRawChunks ? (part) => part.type === 'raw' : undefined,
            onPart(part) {
              if (part.type === 'raw') {
                sample.add(part.rawValue);
              } else if (part.type === 'response-metadata') {
                if (typeof part.modelId === 'string') facts.responseModel = part.modelId;
                if (typeof part.id === 'string') facts.responseId = part.id;
              } else if (part.type === 'finish') {
                facts.finishReason = toFinishReason(part.finishReason);
                facts.usage = toTokenUsage(part.usage);
                if (isRecord(part.providerMetadata)) facts.providerMetadata = part.providerMetadata;
                facts.errorType ??= errorTypeOfFinishReason(facts.finishReason);
                const chunks = sample.values();
                if (chunks.length > 0) facts.responseBody = chunks;
                // Attributes go on before `finish` is passed on: the SDK ends its span when it sees it.
                finish();
              } else if (part.type === 'error') {
                noteError(part.error);
              }
            },
            onEnd: finish,
            onError(error) {
              noteError(error);
              finish();
            },
            onCancel() {
              facts.errorType ??= 'cancelled';
              finish();
            },
          });
          return { ...result, stream: observed };
        } catch (error) {
          diag.warn('servedby: observing a model stream failed', error);
          finish();
          return result;
        }
      },
    };
  } catch (error) {
    diag.warn('servedby: starting a model call span failed', error);
    return undefined;
  }
}

/** Headers, endpoint and response metadata common to generate and stream results. */
function readResult(facts: CallFacts, result: unknown): void {
  if (!isRecord(result)) return;
  const request = isRecord(result.request) ? result.request : undefined;
  if (request && typeof request.url === 'string') facts.url = withoutSecrets(request.url) ?? facts.url;
  const response = isRecord(result.response) ? result.response : undefined;
  if (!response) return;
  if (isRecord(response.headers)) facts.headers = response.headers as Record<string, string>;
  if (typeof response.modelId === 'string') facts.responseModel = response.modelId;
  if (typeof response.id === 'string') facts.responseId = response.id;
}

/**
 * Model-call spans of the AI SDK: `ai.*.doGenerate` / `ai.*.doStream` (v5, v6, v7 legacy) and
 * `chat {model}` of `@ai-sdk/otel`. Any other active span (an HTTP server span, an agent span of
 * another framework) is a parent, not the model call.
 */
function isModelCallSpan(span: Span): boolean {
  if (!span.isRecording()) return false;
  const name = spanNameOf(span);
  if (name === undefined) return false;
  return /^ai\.\w+\.do(Generate|Stream)$/.test(name) || name.startsWith('chat ');
}

interface StreamObserver {
  onPart(part: Record<string, unknown> & { type?: unknown }): void;
  /** Parts the caller must not see (raw chunks it did not ask for). */
  skip?: (part: Record<string, unknown> & { type?: unknown }) => boolean;
  onEnd(): void;
  onError(error: unknown): void;
  onCancel(): void;
}

/**
 * `source` piped through a synchronous observer: every part is handed to the observer, then on
 * to the reader, without waiting or copying. The pipe holds at most one part ahead of the reader
 * (the TransformStream's default queue), so the first chunk is not delayed and nothing is buffered. End, error and cancel (the
 * caller stopped reading) each reach the observer once.
 */
export function observeStream<T>(source: ReadableStream<T>, observer: StreamObserver): ReadableStream<T> {
  let settled = false;
  const settle = (fn: () => void): void => {
    if (settled) return;
    settled = true;
    safely(fn);
  };
  // `cancel` is in the Streams standard and Node 22 calls it; TypeScript's DOM types lack it yet.
  const transformer: Transformer<T, T> & { cancel(reason: unknown): void } = {
    transform(part, controller) {
      let skipped = false;
      if (isRecord(part)) {
        safely(() => observer.onPart(part));
        if (observer.skip) safely(() => (skipped = observer.skip!(part)));
      }
      if (!skipped) controller.enqueue(part);
    },
    flush() {
      settle(() => observer.onEnd());
    },
    // Called both when the caller cancels and when the source fails (the pipe aborts us).
    cancel(reason) {
      const sourceFailed = reason instanceof Error && reason.name !== 'AbortError';
      settle(() => (sourceFailed ? observer.onError(reason) : observer.onCancel()));
    },
  };
  return source.pipeThrough(new TransformStream<T, T>(transformer));
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    diag.warn('servedby: a stream observer failed', error);
  }
}
