import {
  type Attributes,
  type Context,
  type Span,
  type Tracer,
  SpanKind,
  SpanStatusCode,
  diag,
  trace,
} from '@opentelemetry/api';
import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  type ProviderNameMode,
  type RouteMetrics,
  type SemconvMode,
  beforeSpanEnds,
  modelCallAttributes,
  modelSpanName,
  modelOperation,
  parseBedrockModelId,
  recordModelCall,
  scrubErrorMessage,
} from '@servedby/conventions';
import { isAwsSdkInstrumentationSpan } from './aws-sdk-span';
import type { ResponseFacts } from './bedrock-response';

/** The Bedrock Runtime commands servedby attributes; every other command passes through. */
export type BedrockModelCommand = 'Converse' | 'ConverseStream' | 'InvokeModel' | 'InvokeModelWithResponseStream';

const MODEL_COMMANDS: ReadonlySet<string> = new Set<BedrockModelCommand>([
  'Converse',
  'ConverseStream',
  'InvokeModel',
  'InvokeModelWithResponseStream',
]);

/** `ConverseCommand` → `Converse` when it is one of the attributed commands. */
export function modelCommandOf(commandName: unknown): BedrockModelCommand | undefined {
  if (typeof commandName !== 'string') return undefined;
  const name = commandName.endsWith('Command') ? commandName.slice(0, -'Command'.length) : commandName;
  return MODEL_COMMANDS.has(name) ? (name as BedrockModelCommand) : undefined;
}

/** What one HTTP attempt left behind, captured by the deserialize-step middleware. */
export interface AttemptRecord {
  url?: string;
  serverAddress?: string;
  serverPort?: number;
  status?: number;
  headers?: Record<string, string>;
}

/** The instrumentation pieces one call needs. */
export interface CallInstruments {
  tracer: Tracer;
  metrics: RouteMetrics;
  semconv: SemconvMode;
  captureContent: boolean;
  providerName?: ProviderNameMode;
}

interface CommandInput {
  modelId?: unknown;
  messages?: unknown;
  system?: unknown;
  inferenceConfig?: {
    maxTokens?: unknown;
    temperature?: unknown;
    topP?: unknown;
    stopSequences?: unknown;
  };
}

/** How a call ended, with whatever the response revealed. */
export interface CallOutcome {
  facts?: ResponseFacts;
  error?: unknown;
  /** The SDK's attempt count (`$metadata.attempts`). */
  attempts?: number;
  region?: string;
  /** Converse's output message, for opt-in content capture. */
  outputMessage?: unknown;
}

/** One Bedrock model call: its span (own or adopted), timing and what the attempts saw. */
export interface BedrockCall {
  readonly command: BedrockModelCommand;
  /** The context the command runs in: the call's span is active in it. */
  readonly context: Context;
  /** Latest HTTP attempt; retries overwrite it, so it describes the attempt that answered. */
  attempt: AttemptRecord;
  /** Marks the first stream item, for time to first chunk. */
  markFirstChunk(): void;
  /** Sets every attribute, records the metrics and ends the span (unless another instrumentation owns it). Idempotent. */
  finish(outcome: CallOutcome): void;
}

// Scrubbed: an SDK error message may carry the endpoint URL (a proxy's, with credentials).
function errorMessageOf(error: unknown): string | undefined {
  return scrubErrorMessage((error as { message?: unknown } | undefined)?.message);
}

function operationOf(command: BedrockModelCommand, modelId: string | undefined): string {
  if (command === 'Converse' || command === 'ConverseStream' || modelId === undefined) return 'chat';
  return modelOperation(parseBedrockModelId(modelId)?.model ?? modelId);
}

function requestAttributes(command: BedrockModelCommand, input: CommandInput, captureContent: boolean): Attributes {
  const attributes: Attributes = {};
  attributes[ATTR_GEN_AI_REQUEST_STREAM] = command === 'ConverseStream' || command === 'InvokeModelWithResponseStream';
  const config = input.inferenceConfig;
  if (config) {
    if (typeof config.maxTokens === 'number') attributes[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = config.maxTokens;
    if (typeof config.temperature === 'number') attributes[ATTR_GEN_AI_REQUEST_TEMPERATURE] = config.temperature;
    if (typeof config.topP === 'number') attributes[ATTR_GEN_AI_REQUEST_TOP_P] = config.topP;
    if (Array.isArray(config.stopSequences)) {
      attributes[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = config.stopSequences.filter((item): item is string => typeof item === 'string');
    }
  }
  if (captureContent) {
    if (input.messages !== undefined) attributes[ATTR_GEN_AI_INPUT_MESSAGES] = JSON.stringify(input.messages);
    if (input.system !== undefined) attributes[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = JSON.stringify(input.system);
  }
  return attributes;
}

/**
 * Opens the span for one model call (or adopts the aws-sdk instrumentation's span for it) in
 * `parentContext`. Per-call state lives in the returned object only, never in module scope.
 */
export function startBedrockCall(
  instruments: CallInstruments,
  command: BedrockModelCommand,
  input: CommandInput,
  parentContext: Context,
): BedrockCall {
  const modelId = typeof input.modelId === 'string' ? input.modelId : undefined;
  const operation = operationOf(command, modelId);
  const name = modelSpanName(operation, modelId);
  const attributes: Attributes = {
    ...modelCallAttributes({ operation, requestModel: modelId }),
    ...requestAttributes(command, input, instruments.captureContent),
  };

  const activeSpan = trace.getSpan(parentContext);
  const adopted = activeSpan !== undefined && isAwsSdkInstrumentationSpan(activeSpan, command);
  let span: Span;
  if (adopted) {
    span = activeSpan;
    span.updateName(name);
    span.setAttributes(attributes);
  } else {
    span = instruments.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parentContext);
  }
  const callContext = adopted ? parentContext : trace.setSpan(parentContext, span);
  const startedAt = performance.now();
  let firstChunkAt: number | undefined;
  let finished = false;

  const call: BedrockCall = {
    command,
    context: callContext,
    attempt: {},
    markFirstChunk() {
      firstChunkAt ??= performance.now();
    },
    finish(outcome) {
      if (finished) return;
      finished = true;
      const durationSeconds = (performance.now() - startedAt) / 1000;
      const { facts, error } = outcome;
      try {
        const attempt = call.attempt;
        // One record step; the SDK's attempts are an input to the route, never written over it.
        const recorded = recordModelCall(
          span,
          {
            exchange: {
              url: attempt.url,
              requestModel: modelId,
              responseHeaders: attempt.headers,
              responseBody: facts?.routeBody,
              region: outcome.region,
              providerHint: 'aws.bedrock',
              status: attempt.status,
            },
            operation,
            requestModel: modelId,
            responseId: facts?.responseId,
            finishReasons: facts?.finishReasons,
            usage: facts?.usage,
            durationSeconds,
            timeToFirstChunkSeconds: firstChunkAt === undefined ? undefined : (firstChunkAt - startedAt) / 1000,
            error,
            attempts: outcome.attempts,
            serverAddress: attempt.serverAddress,
            serverPort: attempt.serverPort,
            parentContext,
          },
          instruments,
        );
        const finalAttributes: Attributes = { ...recorded.attributes };
        if (instruments.captureContent && outcome.outputMessage !== undefined) {
          finalAttributes[ATTR_GEN_AI_OUTPUT_MESSAGES] = JSON.stringify([outcome.outputMessage]);
          span.setAttributes(finalAttributes);
        }
        if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessageOf(error) });
        // The aws-sdk instrumentation writes its own usage and finish reasons after this middleware
        // returns (raw Converse input counts without cache, chars/6 estimates for Cohere and
        // Mistral): servedby's values are written again just before that span ends.
        if (adopted) beforeSpanEnds(span, () => span.setAttributes(finalAttributes));
      } catch (ownError) {
        diag.error('@servedby/bedrock: could not attribute the call', ownError);
      } finally {
        // The aws-sdk instrumentation ends the span it owns, after servedby has enriched it.
        if (!adopted) span.end();
      }
    },
  };
  return call;
}
