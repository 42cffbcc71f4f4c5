import {
  context as contextApi,
  diag,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { BaseCallbackHandler, type BaseCallbackHandlerInput } from '@langchain/core/callbacks/base';
import type { Serialized } from '@langchain/core/load/serializable';
import type { BaseMessage } from '@langchain/core/messages';
import type { LLMResult } from '@langchain/core/outputs';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_ROUTE_UPSTREAMS,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  contextWithUpstreamsCollector,
  createUpstreamsCollector,
  modelCallAttributes,
  modelSpanName,
  recordModelCall,
  resolveInstrumentation,
  type ModelCallInfo,
  type ResolvedInstrumentation,
  type RouteObservation,
  type ServedbyOptions,
  type TokenUsage,
  type UpstreamsCollector,
  errorTypeOf,
  serverOfUrl,
  scrubErrorMessage,
} from '@servedby/conventions';
import {
  activeModelCallScope,
  installGlobalFetchCapture,
  installModelCallScopes,
  type ModelCallScope,
} from './model-call-scope';
import { readModelConfiguration, type ModelConfiguration } from './model-configuration';
import { VERSION } from './version';

/** The handler's `name`: LangChain de-duplicates handlers by name, so one per call tree. */
export const ROUTE_CALLBACK_HANDLER_NAME = 'servedby_route_handler';

const HIDDEN_TAG = 'langsmith:hidden';

interface ModelRun {
  kind: 'model';
  runId: string;
  span: Span;
  parentContext: Context;
  operation: string;
  requestModel?: string;
  providerHint?: string;
  startedAt: number;
  firstChunkAt?: number;
  firstRawChunk?: unknown;
  /** Last finish reason a stream chunk carried: LangChain concatenates them when merging chunks. */
  streamFinishReasons?: string[];
  scope?: ModelCallScope;
  configuration?: ModelConfiguration;
  /** The invocation parameters (`model_kwargs` included): the routing preferences the call carried. */
  invocationParams?: Record<string, unknown>;
  settleListener?: () => void;
}

interface StepRun {
  kind: 'step';
  span: Span;
  context: Context;
  collector: UpstreamsCollector;
}

/** A run without a span of its own (LangGraph plumbing): children attach to its parent. */
interface HiddenRun {
  kind: 'hidden';
  context: Context;
}

type Run = ModelRun | StepRun | HiddenRun;

/** State shared by a handler and every copy LangChain makes of it (`handler.copy()`). */
interface HandlerState {
  instrumentation: ResolvedInstrumentation;
  runs: Map<string, Run>;
}

const STATE = Symbol('servedby.langchain.state');

function guard<T>(what: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    diag.error(`@servedby/langchain: ${what} failed`, error);
    return undefined;
  }
}

function lastIdPart(serialized: Serialized | undefined): string | undefined {
  const id = (serialized as { id?: unknown } | undefined)?.id;
  return Array.isArray(id) && typeof id.at(-1) === 'string' ? (id.at(-1) as string) : undefined;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function usageOf(message: Record<string, unknown> | undefined, llmOutput: Record<string, unknown> | undefined): TokenUsage | undefined {
  const usage = asRecord(message?.usage_metadata);
  if (usage) {
    const inputDetails = asRecord(usage.input_token_details);
    const outputDetails = asRecord(usage.output_token_details);
    return {
      inputTokens: asNumber(usage.input_tokens),
      outputTokens: asNumber(usage.output_tokens),
      cacheReadInputTokens: asNumber(inputDetails?.cache_read),
      cacheCreationInputTokens: asNumber(inputDetails?.cache_creation),
      reasoningTokens: asNumber(outputDetails?.reasoning),
    };
  }
  const tokenUsage = asRecord(llmOutput?.tokenUsage) ?? asRecord(llmOutput?.estimatedTokenUsage);
  if (tokenUsage) {
    return { inputTokens: asNumber(tokenUsage.promptTokens), outputTokens: asNumber(tokenUsage.completionTokens) };
  }
  return undefined;
}

function finishReasonsOf(metadata: Record<string, unknown> | undefined): string[] | undefined {
  if (!metadata) return undefined;
  const reason =
    asString(metadata.finish_reason) ??
    asString(metadata.stop_reason) ??
    asString(metadata.stopReason) ??
    asString(asRecord(metadata.messageStop)?.stopReason);
  return reason ? [reason] : undefined;
}

function messagesForContent(messages: BaseMessage[][] | string[]): string {
  return JSON.stringify(
    messages.flat().map((message) =>
      typeof message === 'string'
        ? { role: 'user', content: message }
        : { role: message.getType?.() ?? 'unknown', content: message.content },
    ),
  );
}

class RouteCallbackHandler extends BaseCallbackHandler {
  name = ROUTE_CALLBACK_HANDLER_NAME;
  readonly [STATE]: HandlerState;

  constructor(input?: BaseCallbackHandlerInput & { [STATE]?: HandlerState }) {
    // Awaited: a backgrounded handler runs on LangChain's queue, outside the caller's OTel
    // context and model call scope, and concurrent calls would share one parent.
    super({ ...input, _awaitHandler: true });
    this.awaitHandlers = true;
    this[STATE] = input?.[STATE] ?? { instrumentation: undefined as never, runs: new Map() };
  }

  private get instrumentation(): ResolvedInstrumentation {
    return this[STATE].instrumentation;
  }

  private get runs(): Map<string, Run> {
    return this[STATE].runs;
  }

  private parentContextOf(parentRunId: string | undefined): Context {
    const parent = parentRunId ? this.runs.get(parentRunId) : undefined;
    if (parent?.kind === 'step' || parent?.kind === 'hidden') return parent.context;
    if (parent?.kind === 'model') return trace.setSpan(parent.parentContext, parent.span);
    return contextApi.active();
  }

  // ---- model runs -------------------------------------------------------------------------

  private async startModelRun(
    operation: string,
    llm: Serialized,
    input: BaseMessage[][] | string[],
    runId: string,
    parentRunId: string | undefined,
    extraParams: Record<string, unknown> | undefined,
    metadata: Record<string, unknown> | undefined,
  ): Promise<void> {
    const { tracer, captureContent } = this.instrumentation;
    const scope = activeModelCallScope();
    // A scope belongs to the run that started inside it; batched generate() shares one.
    scope?.runIds.add(runId);
    const configuration = scope ? await readModelConfiguration(scope.model) : undefined;
    const invocationParams = asRecord(extraParams?.invocation_params);
    const requestModel =
      configuration?.requestModel ??
      asString(metadata?.ls_model_name) ??
      asString(invocationParams?.model) ??
      asString(invocationParams?.model_name);
    const providerHint = asString(metadata?.ls_provider) ?? lastIdPart(llm);
    const parentContext = this.parentContextOf(parentRunId);
    const attributes: Attributes = modelCallAttributes({
      operation,
      requestModel,
      ...serverOfUrl(configuration?.url),
    });
    const temperature = asNumber(metadata?.ls_temperature);
    if (temperature !== undefined) attributes[ATTR_GEN_AI_REQUEST_TEMPERATURE] = temperature;
    const maxTokens = asNumber(metadata?.ls_max_tokens);
    if (maxTokens !== undefined) attributes[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = maxTokens;
    const stop = metadata?.ls_stop;
    if (Array.isArray(stop) && stop.every((item) => typeof item === 'string')) {
      attributes[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = stop as string[];
    }
    if (captureContent) attributes[ATTR_GEN_AI_INPUT_MESSAGES] = messagesForContent(input);
    const span = tracer.startSpan(
      modelSpanName(operation, requestModel),
      { kind: SpanKind.CLIENT, attributes },
      parentContext,
    );
    const run: ModelRun = {
      kind: 'model',
      runId,
      span,
      parentContext,
      operation,
      requestModel,
      providerHint,
      startedAt: performance.now(),
      scope,
      configuration,
      ...(invocationParams ? { invocationParams } : {}),
    };
    if (scope) {
      // The first route handler's span is the parent of the SDK's own spans (HTTP, aws-sdk).
      if (!scope.spansByRun.has(runId)) scope.spansByRun.set(runId, span);
      // Ends the span when the caller abandons a stream (LangChain calls neither end nor error then).
      run.settleListener = () => this.finishModelRun(runId, run, { abandoned: true });
      scope.onSettled.add(run.settleListener);
    }
    this.runs.set(runId, run);
  }

  private observationOf(run: ModelRun, responseBody: unknown, responseHeaders?: Record<string, string>): RouteObservation {
    const known: Partial<RouteObservation> = {
      requestModel: run.requestModel,
      region: run.configuration?.region,
      providerHint: run.providerHint,
    };
    // The request's routing preferences (OpenRouter `provider`, LiteLLM `fallbacks`) for the policy attributes.
    if (run.invocationParams) known.request = { body: run.invocationParams };
    const capture = run.scope?.capturesByRun.get(run.runId)?.at(-1);
    if (capture) {
      const observation = capture.observation(known);
      if (observation.responseBody === undefined && responseBody !== undefined) {
        return { ...observation, responseBody };
      }
      return observation;
    }
    return { ...known, url: run.configuration?.url, responseBody, responseHeaders };
  }

  private finishModelRun(
    runId: string,
    run: ModelRun,
    outcome: { output?: LLMResult; error?: unknown; abandoned?: boolean },
  ): void {
    if (this.runs.get(runId) !== run) return;
    this.runs.delete(runId);
    if (run.scope && run.settleListener) run.scope.onSettled.delete(run.settleListener);
    const { span } = run;
    try {
      const generation = asRecord(outcome.output?.generations?.[0]?.[0]);
      const message = asRecord(generation?.message);
      const llmOutput = asRecord(outcome.output?.llmOutput);
      const responseMetadata = asRecord(message?.response_metadata) ?? asRecord(generation?.generationInfo);
      const additional = asRecord(message?.additional_kwargs);
      const messageId = asString(message?.id);
      const responseId = messageId && !messageId.startsWith('run-') ? messageId : undefined;
      const info: ModelCallInfo = {
        responseModel:
          asString(responseMetadata?.model_name) ?? asString(responseMetadata?.model) ?? asString(llmOutput?.model_name),
        responseId,
        // Anthropic streams leave `stop_reason` in additional_kwargs (message_delta).
        finishReasons: run.streamFinishReasons ?? finishReasonsOf(responseMetadata) ?? finishReasonsOf(additional),
        usage: usageOf(message, llmOutput),
      };
      const { body, headers } = this.responseFacts(run, additional, responseMetadata, info);
      const observation = this.observationOf(run, body, headers);
      const firstChunkAt = run.firstChunkAt ?? run.scope?.firstChunkAt;
      // One record step: the route's served model wins over LangChain's (LiteLLM rewrites the body `model`).
      recordModelCall(
        span,
        {
          exchange: observation,
          operation: run.operation,
          requestModel: run.requestModel,
          responseModel: info.responseModel,
          responseId: info.responseId,
          finishReasons: info.finishReasons,
          usage: info.usage,
          durationSeconds: (performance.now() - run.startedAt) / 1000,
          streaming: run.scope?.streaming === true || firstChunkAt !== undefined,
          timeToFirstChunkSeconds: firstChunkAt === undefined ? undefined : Math.max(0, firstChunkAt - run.startedAt) / 1000,
          error: outcome.error,
          parentContext: run.parentContext,
        },
        this.instrumentation,
      );
      if (this.instrumentation.captureContent && message) {
        span.setAttribute(
          ATTR_GEN_AI_OUTPUT_MESSAGES,
          JSON.stringify([{ role: 'assistant', content: message.content, finish_reason: info.finishReasons?.[0] }]),
        );
      }
      if (outcome.error !== undefined) {
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: scrubErrorMessage(outcome.error instanceof Error ? outcome.error.message : undefined),
        });
      }
    } catch (error) {
      diag.error('@servedby/langchain: attributing a model call failed', error);
    } finally {
      span.end();
    }
  }

  /**
   * What the response said, for the cases without a fetch capture: the raw body LangChain kept
   * (`__raw_response`, first stream chunk), else the fields LangChain copied out of it.
   */
  private responseFacts(
    run: ModelRun,
    additional: Record<string, unknown> | undefined,
    responseMetadata: Record<string, unknown> | undefined,
    info: ModelCallInfo,
  ): { body?: unknown; headers?: Record<string, string> } {
    const raw = run.firstRawChunk ?? additional?.__raw_response;
    if (raw !== undefined) return { body: raw };
    if (!responseMetadata) return {};
    // Bedrock Converse: LangChain keeps the response minus `output` (trace.promptRouter, usage) and
    // the SDK's request id, which the SDK read from `x-amzn-requestid`.
    const awsMetadata = asRecord(responseMetadata.$metadata);
    if (awsMetadata) {
      const { $metadata: _ignored, model_provider: _provider, ...converseBody } = responseMetadata;
      const requestId = asString(awsMetadata.requestId);
      return { body: converseBody, headers: requestId ? { 'x-amzn-requestid': requestId } : undefined };
    }
    const body: Record<string, unknown> = {};
    if (info.responseId) body.id = info.responseId;
    if (info.responseModel) body.model = info.responseModel;
    return Object.keys(body).length > 0 ? { body } : {};
  }

  override async handleChatModelStart(
    llm: Serialized,
    messages: BaseMessage[][],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.startModelRun('chat', llm, messages, runId, parentRunId, extraParams, metadata);
    } catch (error) {
      diag.error('@servedby/langchain: handleChatModelStart failed', error);
    }
  }

  override async handleLLMStart(
    llm: Serialized,
    prompts: string[],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.startModelRun('text_completion', llm, prompts, runId, parentRunId, extraParams, metadata);
    } catch (error) {
      diag.error('@servedby/langchain: handleLLMStart failed', error);
    }
  }

  override handleLLMNewToken(
    _token: string,
    _index: unknown,
    runId: string,
    _parentRunId?: string,
    _tags?: string[],
    fields?: { chunk?: unknown },
  ): void {
    guard('handleLLMNewToken', () => {
      const run = this.runs.get(runId);
      if (run?.kind !== 'model') return;
      run.firstChunkAt ??= performance.now();
      // Per chunk, before LangChain concatenates string fields across chunks.
      const chunk = asRecord(fields?.chunk);
      const message = asRecord(chunk?.message);
      const reasons =
        finishReasonsOf(asRecord(chunk?.generationInfo)) ?? finishReasonsOf(asRecord(message?.response_metadata));
      if (reasons) run.streamFinishReasons = reasons;
      if (run.firstRawChunk === undefined) {
        const raw = asRecord(message?.additional_kwargs)?.__raw_response;
        if (raw !== undefined) run.firstRawChunk = raw;
      }
    });
  }

  override handleLLMEnd(output: LLMResult, runId: string): void {
    guard('handleLLMEnd', () => {
      const run = this.runs.get(runId);
      if (run?.kind === 'model') this.finishModelRun(runId, run, { output });
    });
  }

  override handleLLMError(error: unknown, runId: string): void {
    guard('handleLLMError', () => {
      const run = this.runs.get(runId);
      if (run?.kind === 'model') this.finishModelRun(runId, run, { error });
    });
  }

  // ---- chains, agents, tools, retrievers --------------------------------------------------

  private startStep(
    runId: string,
    parentRunId: string | undefined,
    name: string,
    attributes: Attributes,
    hidden: boolean,
  ): void {
    const parentContext = this.parentContextOf(parentRunId);
    if (hidden) {
      this.runs.set(runId, { kind: 'hidden', context: parentContext });
      return;
    }
    const span = this.instrumentation.tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, parentContext);
    const collector = createUpstreamsCollector();
    const context = contextWithUpstreamsCollector(trace.setSpan(parentContext, span), collector);
    this.runs.set(runId, { kind: 'step', span, context, collector });
  }

  private endStep(runId: string, error?: unknown): void {
    const run = this.runs.get(runId);
    if (!run || run.kind === 'model') return;
    this.runs.delete(runId);
    if (run.kind === 'hidden') return;
    const { span, collector } = run;
    try {
      const upstreams = collector.values();
      if (upstreams.length > 0) span.setAttribute(ATTR_GEN_AI_ROUTE_UPSTREAMS, upstreams);
      if (error !== undefined) {
        span.setAttribute(ATTR_ERROR_TYPE, errorTypeOf(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: scrubErrorMessage(error instanceof Error ? error.message : undefined) });
      }
    } finally {
      span.end();
    }
  }

  override handleChainStart(
    chain: Serialized,
    _inputs: unknown,
    runId: string,
    // LangChain calls this with (…, runId, parentRunId, tags, metadata, runType, runName): not
    // the order its type declares.
    parentRunIdAtRuntime?: unknown,
    tagsAtRuntime?: unknown,
    metadataAtRuntime?: unknown,
    _runType?: unknown,
    runNameAtRuntime?: unknown,
  ): void {
    guard('handleChainStart', () => {
      const parentRunId = asString(parentRunIdAtRuntime);
      const tags = Array.isArray(tagsAtRuntime) ? (tagsAtRuntime as string[]) : [];
      const metadata = asRecord(metadataAtRuntime);
      const name = asString(runNameAtRuntime) ?? lastIdPart(chain) ?? 'chain';
      const agentName = asString(metadata?.lc_agent_name);
      const isAgent = this.isAgentRun(name, agentName, metadata, chain);
      if (isAgent) {
        const agent = agentName ?? name;
        this.startStep(
          runId,
          parentRunId,
          `invoke_agent ${agent}`,
          { [ATTR_GEN_AI_OPERATION_NAME]: 'invoke_agent', [ATTR_GEN_AI_AGENT_NAME]: agent },
          false,
        );
        return;
      }
      this.startStep(runId, parentRunId, name, {}, tags.includes(HIDDEN_TAG));
    });
  }

  /**
   * A LangGraph agent is the compiled graph's own run (`createAgent` marks it with
   * `ls_integration: langchain_create_agent`; a root graph from the prebuilt ReAct agent carries
   * no `langgraph_node`). Graph nodes (`model_request`, `tools`) are ordinary chain spans.
   */
  private isAgentRun(name: string, agentName: string | undefined, metadata: Record<string, unknown> | undefined, chain: Serialized): boolean {
    if (agentName !== undefined && name === agentName) return true;
    if (lastIdPart(chain) !== 'CompiledStateGraph') return false;
    return metadata?.ls_integration === 'langchain_create_agent' || metadata?.langgraph_node === undefined;
  }

  override handleChainEnd(_outputs: unknown, runId: string): void {
    guard('handleChainEnd', () => this.endStep(runId));
  }

  override handleChainError(error: unknown, runId: string): void {
    guard('handleChainError', () => this.endStep(runId, error));
  }

  override handleToolStart(
    tool: Serialized,
    _input: string,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    _metadata?: Record<string, unknown>,
    runName?: string,
    toolCallId?: string,
  ): void {
    guard('handleToolStart', () => {
      const name = runName ?? lastIdPart(tool) ?? 'tool';
      const attributes: Attributes = { [ATTR_GEN_AI_OPERATION_NAME]: 'execute_tool', [ATTR_GEN_AI_TOOL_NAME]: name };
      if (toolCallId) attributes[ATTR_GEN_AI_TOOL_CALL_ID] = toolCallId;
      this.startStep(runId, parentRunId, `execute_tool ${name}`, attributes, false);
    });
  }

  override handleToolEnd(_output: unknown, runId: string): void {
    guard('handleToolEnd', () => this.endStep(runId));
  }

  override handleToolError(error: unknown, runId: string): void {
    guard('handleToolError', () => this.endStep(runId, error));
  }

  override handleRetrieverStart(
    retriever: Serialized,
    _query: string,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    _metadata?: Record<string, unknown>,
    runName?: string,
  ): void {
    guard('handleRetrieverStart', () => {
      const name = runName ?? lastIdPart(retriever) ?? 'retriever';
      this.startStep(runId, parentRunId, `retrieve ${name}`, {}, false);
    });
  }

  override handleRetrieverEnd(_documents: unknown, runId: string): void {
    guard('handleRetrieverEnd', () => this.endStep(runId));
  }

  override handleRetrieverError(error: unknown, runId: string): void {
    guard('handleRetrieverError', () => this.endStep(runId, error));
  }

  override handleAgentAction(action: { tool?: string }, runId: string): void {
    guard('handleAgentAction', () => {
      // Legacy AgentExecutor only: the decision is an event on the executor's span.
      const run = this.runs.get(runId);
      if (run?.kind === 'step') run.span.addEvent('agent_action', action.tool ? { [ATTR_GEN_AI_TOOL_NAME]: action.tool } : {});
    });
  }
}

/** Options of {@link createRouteCallbackHandler} and `registerRouteCallbacks`. */
export interface RouteCallbackOptions extends ServedbyOptions {
  /**
   * Also capture requests made through the global `fetch` during a model call: wraps
   * `globalThis.fetch` once per process; outside model calls the wrapper calls the original
   * directly. Needed for `ChatOpenRouter` (global fetch, no fetch option); also covers OpenAI and
   * Anthropic clients created after this call without `captureRouteFetch`. Default `false`.
   */
  captureGlobalFetch?: boolean;
}

/**
 * Creates a LangChain callback handler that makes an OpenTelemetry span for every model call
 * (CLIENT, `chat {model}`, with the route that served it), chain, agent, tool and retriever run,
 * nested like the LangChain run tree under the span active when the call starts.
 *
 * Pass it in `callbacks` (per call or per model), or use `registerRouteCallbacks` for every call.
 * The HTTP exchange of each model call (headers, and the body's route fields) is observed on
 * Node's diagnostics channels; no fetch option is needed (`captureRouteFetch()` remains for
 * runtimes without them).
 *
 * @example
 * ```ts
 * const handler = createRouteCallbackHandler();
 * await model.invoke('Hello', { callbacks: [handler] });
 * ```
 */
export function createRouteCallbackHandler(options?: RouteCallbackOptions): BaseCallbackHandler {
  installModelCallScopes(options);
  if (options?.captureGlobalFetch) installGlobalFetchCapture();
  const instrumentation = resolveInstrumentation(options, { name: '@servedby/langchain', version: VERSION });
  return new RouteCallbackHandler({ [STATE]: { instrumentation, runs: new Map() } });
}
