import { AsyncLocalStorage } from 'node:async_hooks';
import { context as otelContext, diag } from '@opentelemetry/api';
import { type ServedbyOptions, resolveInstrumentation } from '@servedby/conventions';
import type {
  DeserializeHandlerArguments,
  DeserializeMiddleware,
  HandlerExecutionContext,
  InitializeHandlerArguments,
  InitializeMiddleware,
  MiddlewareStack,
} from '@smithy/types';
import { type BedrockCall, type CallInstruments, modelCommandOf, startBedrockCall } from './bedrock-call';
import {
  type ResponseFacts,
  converseFacts,
  createConverseStreamReader,
  createInvokeStreamReader,
  invokeModelFacts,
} from './bedrock-response';
import { observeAsyncIterable } from './observe-stream';
import { VERSION } from './version';

/** Options for `instrumentBedrock` and `bedrockRoutePlugin`: the options every servedby plugin takes. */
export interface BedrockRouteOptions extends ServedbyOptions {}

/** The resolved client configuration the middleware reads the region from. */
interface RegionSource {
  region?: unknown;
}

/**
 * An AWS SDK v3 plugin, as `client.middlewareStack.use()` takes it (`Pluggable` of `@smithy/types`).
 * Declared here rather than imported so servedby's types resolve without `@smithy/types`, and
 * match the clients of both its majors (3 and 4).
 */
export interface BedrockRoutePlugin {
  applyToStack(stack: BedrockMiddlewareStackLike): void;
}

/** The part of an AWS SDK v3 middleware stack the plugin uses. */
export interface BedrockMiddlewareStackLike {
  add(middleware: (...args: any[]) => any, options: { step: string; priority?: string; name?: string; tags?: string[] }): void;
}

/** The part of a Bedrock Runtime client `instrumentBedrock` needs. */
export interface BedrockRuntimeClientLike {
  middlewareStack: { use(plugin: BedrockRoutePlugin): void };
  config: RegionSource;
}

const INITIALIZE_MIDDLEWARE_NAME = 'servedbyBedrockRouteMiddleware';
const DESERIALIZE_MIDDLEWARE_NAME = 'servedbyBedrockResponseMiddleware';
const SCOPE = { name: '@servedby/bedrock', version: VERSION };

// One store per module is enough: each call sets its own entry for the duration of its stack.
const currentCall = new AsyncLocalStorage<BedrockCall>();

type Output = Record<string, unknown> & {
  $metadata?: { attempts?: unknown };
  stream?: unknown;
  body?: unknown;
  output?: { message?: unknown };
};

function attemptsOf(value: unknown): number | undefined {
  const attempts = (value as { $metadata?: { attempts?: unknown } } | undefined)?.$metadata?.attempts;
  return typeof attempts === 'number' ? attempts : undefined;
}

async function resolveRegion(clientConfig: RegionSource | undefined, handlerContext: HandlerExecutionContext): Promise<string | undefined> {
  try {
    let source: unknown = clientConfig?.region;
    if (source === undefined) {
      // Without the client at hand (a bare plugin), the SigV4 signing properties the SDK chose
      // for this call name the client's region and carry its config.
      const signing = handlerContext.__smithy_context?.selectedHttpAuthScheme?.httpAuthOption?.signingProperties as
        | { region?: unknown; config?: RegionSource }
        | undefined;
      source = signing?.region ?? signing?.config?.region;
    }
    const region = typeof source === 'function' ? await (source as () => unknown)() : source;
    return typeof region === 'string' && region !== '' ? region : undefined;
  } catch (error) {
    diag.debug('@servedby/bedrock: region not resolvable', error);
    return undefined;
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

/** Replaces the output's event stream with an observed one that finishes the call when reading ends. */
function observeStreamOutput(call: BedrockCall, output: Output, key: 'stream' | 'body', region: string | undefined): void {
  const source = output[key];
  const attempts = attemptsOf(output);
  if (!isAsyncIterable(source)) {
    call.finish({ attempts, region });
    return;
  }
  const reader = key === 'stream' ? createConverseStreamReader() : createInvokeStreamReader();
  // The registration's token: once the stream ends, the registry lets go of the call (it would
  // otherwise hold the call's span and facts until the stream is collected, after a major GC).
  const registration = {};
  const finishWith = (facts: ResponseFacts, error?: unknown) => {
    unreadStreams.unregister(registration);
    call.finish({ facts, error, attempts, region });
  };
  const observed = observeAsyncIterable(source, {
    onItem(item) {
      call.markFirstChunk();
      reader.read(item);
    },
    onEnd: () => finishWith(reader.facts()),
    onError: (error) => finishWith(reader.facts(), error),
    onAbandon: () => finishWith(reader.facts()),
  });
  // A stream the caller drops without reading would otherwise leave its span open forever.
  unreadStreams.register(observed, () => finishWith(reader.facts()), registration);
  output[key] = observed;
}

const unreadStreams = new FinalizationRegistry<() => void>((finishAbandoned) => {
  try {
    finishAbandoned();
  } catch (error) {
    diag.error('@servedby/bedrock: could not end the span of a dropped stream', error);
  }
});

function finishCall(call: BedrockCall, output: Output, region: string | undefined): void {
  switch (call.command) {
    case 'ConverseStream':
      observeStreamOutput(call, output, 'stream', region);
      return;
    case 'InvokeModelWithResponseStream':
      observeStreamOutput(call, output, 'body', region);
      return;
    case 'Converse':
      call.finish({ facts: converseFacts(output), attempts: attemptsOf(output), region, outputMessage: output.output?.message });
      return;
    case 'InvokeModel':
      call.finish({ facts: invokeModelFacts(output.body, call.attempt.headers), attempts: attemptsOf(output), region });
      return;
  }
}

function createInitializeMiddleware(instruments: () => CallInstruments, clientConfig: RegionSource | undefined): InitializeMiddleware<any, any> {
  return (next, handlerContext) =>
    async (args: InitializeHandlerArguments<any>) => {
      const command = modelCommandOf(handlerContext.commandName);
      if (command === undefined) return next(args);
      let call: BedrockCall;
      try {
        call = startBedrockCall(instruments(), command, (args.input ?? {}) as Record<string, unknown>, otelContext.active());
      } catch (error) {
        diag.error('@servedby/bedrock: could not start the span', error);
        return next(args);
      }

      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await currentCall.run(call, () => otelContext.with(call.context, () => next(args)));
      } catch (error) {
        const region = await resolveRegion(clientConfig, handlerContext);
        call.finish({ error, attempts: attemptsOf(error), region });
        throw error;
      }
      try {
        const region = await resolveRegion(clientConfig, handlerContext);
        finishCall(call, (result.output ?? {}) as Output, region);
      } catch (error) {
        diag.error('@servedby/bedrock: could not read the response', error);
        call.finish({});
      }
      return result;
    };
}

/** Records each HTTP attempt's URL (no query), status and headers; runs innermost, below the deserializer. */
const recordAttemptMiddleware: DeserializeMiddleware<any, any> =
  (next) => async (args: DeserializeHandlerArguments<any>) => {
    const call = currentCall.getStore();
    if (call === undefined) return next(args);
    try {
      const request = args.request as { protocol?: string; hostname?: string; port?: number; path?: string };
      if (request?.hostname) {
        const protocol = request.protocol ?? 'https:';
        const port = request.port;
        call.attempt = {
          url: `${protocol}//${request.hostname}${port ? `:${port}` : ''}${request.path ?? ''}`,
          serverAddress: request.hostname,
          serverPort: port ?? (protocol === 'http:' ? 80 : 443),
        };
      }
    } catch (error) {
      diag.debug('@servedby/bedrock: request not readable', error);
    }
    const result = await next(args);
    try {
      const response = result.response as { statusCode?: number; headers?: Record<string, string> };
      call.attempt.status = response?.statusCode;
      call.attempt.headers = response?.headers;
    } catch (error) {
      diag.debug('@servedby/bedrock: response not readable', error);
    }
    return result;
  };

function createPlugin(options: BedrockRouteOptions | undefined, clientConfig: RegionSource | undefined): BedrockRoutePlugin {
  let resolved: CallInstruments | undefined;
  // Resolved on first call, so a global provider registered after instrumenting is still used.
  const instruments = () => (resolved ??= resolveInstrumentation(options, SCOPE));
  return {
    applyToStack(pluginStack) {
      const stack = pluginStack as unknown as MiddlewareStack<any, any>;
      try {
        stack.add(createInitializeMiddleware(instruments, clientConfig), {
          step: 'initialize',
          priority: 'high',
          name: INITIALIZE_MIDDLEWARE_NAME,
          tags: ['SERVEDBY'],
        });
        stack.add(recordAttemptMiddleware, {
          step: 'deserialize',
          priority: 'low',
          name: DESERIALIZE_MIDDLEWARE_NAME,
          tags: ['SERVEDBY'],
        });
      } catch (error) {
        // Adding twice throws "Duplicate middleware name": the stack is already instrumented.
        diag.debug('@servedby/bedrock: middleware not added', error);
      }
    },
  };
}

/**
 * An AWS SDK v3 plugin that puts servedby's route attributes on every Bedrock Runtime model
 * call (`Converse`, `ConverseStream`, `InvokeModel`, `InvokeModelWithResponseStream`); other
 * commands pass through untouched. Use it on any client, including one another library built:
 *
 * ```ts
 * client.middlewareStack.use(bedrockRoutePlugin({ semconv: 'latest' }));
 * ```
 *
 * The region comes from the call's SigV4 signing properties; `instrumentBedrock` reads it from
 * the client's configuration instead, which also covers bearer-token (API key) auth.
 */
export function bedrockRoutePlugin(options?: BedrockRouteOptions): BedrockRoutePlugin {
  return createPlugin(options, undefined);
}

/**
 * Adds servedby's middleware to a `BedrockRuntimeClient` and returns the same client.
 * Calling it twice on one client is harmless.
 *
 * ```ts
 * const client = instrumentBedrock(new BedrockRuntimeClient({ region: 'us-east-1' }));
 * ```
 */
export function instrumentBedrock<Client extends BedrockRuntimeClientLike>(client: Client, options?: BedrockRouteOptions): Client {
  try {
    client.middlewareStack.use(createPlugin(options, client.config));
  } catch (error) {
    diag.error('@servedby/bedrock: could not instrument the client', error);
  }
  return client;
}
