import { decideAnswer, estimateTokens, isRecord, splitIntoDeltas, type CannedAnswer, type OfferedTool } from './answer';
import { answerTokens, contentText } from './chat-completions';
import type { Random } from './random';

/** An OpenAI Responses API request, reduced to what shapes the answer. */
export interface ResponsesRequest {
  model: string;
  stream: boolean;
  answer: CannedAnswer;
  inputTokens: number;
  outputTokens: number;
  body: Record<string, unknown>;
}

/** Reads a `/responses` body, or names the missing field. */
export function readResponsesRequest(
  body: Record<string, unknown>,
  text?: string,
): ResponsesRequest | 'missing_input' | 'missing_model' {
  const input = body.input;
  if (input === undefined || input === null || (Array.isArray(input) && input.length === 0)) return 'missing_input';
  if (typeof body.model !== 'string' || !body.model) return 'missing_model';
  const tools: OfferedTool[] = [];
  if (Array.isArray(body.tools)) {
    for (const tool of body.tools) {
      if (isRecord(tool) && tool.type === 'function' && typeof tool.name === 'string') {
        tools.push({ name: tool.name, parameters: tool.parameters });
      }
    }
  }
  const last = Array.isArray(input) ? input[input.length - 1] : undefined;
  const endsWithToolResult = isRecord(last) && last.type === 'function_call_output';
  const toolResultText = endsWithToolResult && isRecord(last) ? contentText(last.output) : undefined;
  const answer = decideAnswer({ tools, endsWithToolResult, toolResultText }, text);
  return {
    model: body.model,
    stream: body.stream === true,
    answer,
    inputTokens: estimateTokens(input),
    outputTokens: answerTokens(answer),
    body,
  };
}

/** Ids of one Responses answer, drawn once so JSON and stream agree. */
export interface ResponsesIds {
  responseId: string;
  itemId: string;
  callId: string;
}

/** Draws the ids of one response (`resp_`, `msg_`/`fc_` with 50 hex characters, `call_`). */
export function responsesIds(random: Random, answer: CannedAnswer): ResponsesIds {
  const prefix = random.hex(18);
  return {
    responseId: `resp_${prefix}${random.hex(32)}`,
    itemId: `${answer.type === 'text' ? 'msg' : 'fc'}_${prefix}${random.hex(32)}`,
    callId: `call_${random.string(24)}`,
  };
}

function outputItem(answer: CannedAnswer, ids: ResponsesIds, status: 'in_progress' | 'completed') {
  if (answer.type === 'text') {
    return {
      id: ids.itemId,
      type: 'message',
      status,
      content:
        status === 'completed' ? [{ type: 'output_text', annotations: [], logprobs: [], text: answer.text }] : [],
      role: 'assistant',
    };
  }
  return {
    id: ids.itemId,
    type: 'function_call',
    status,
    arguments: status === 'completed' ? JSON.stringify(answer.arguments) : '',
    call_id: ids.callId,
    name: answer.toolName,
  };
}

/** The full `response` object, as `/responses` returns it and `response.completed` carries it. */
export function responseObject(
  request: ResponsesRequest,
  ids: ResponsesIds,
  options: { model: string; createdAt: number; status: 'in_progress' | 'completed'; extra?: Record<string, unknown> },
) {
  const completed = options.status === 'completed';
  return {
    id: ids.responseId,
    object: 'response',
    created_at: options.createdAt,
    status: options.status,
    background: false,
    billing: { payer: 'developer' },
    completed_at: completed ? options.createdAt + 1 : null,
    error: null,
    frequency_penalty: 0.0,
    incomplete_details: null,
    instructions: typeof request.body.instructions === 'string' ? request.body.instructions : null,
    max_output_tokens: request.body.max_output_tokens ?? null,
    max_tool_calls: null,
    model: options.model,
    moderation: null,
    output: completed ? [outputItem(request.answer, ids, 'completed')] : [],
    parallel_tool_calls: true,
    presence_penalty: 0.0,
    previous_response_id: request.body.previous_response_id ?? null,
    prompt_cache_key: null,
    prompt_cache_retention: null,
    reasoning: { effort: null, summary: null },
    safety_identifier: null,
    service_tier: 'default',
    store: request.body.store ?? true,
    temperature: 1.0,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: Array.isArray(request.body.tools) ? request.body.tools : [],
    top_logprobs: 0,
    top_p: 1.0,
    truncation: 'disabled',
    usage: completed
      ? {
          input_tokens: request.inputTokens,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: request.outputTokens,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: request.inputTokens + request.outputTokens,
        }
      : null,
    user: null,
    metadata: {},
    ...options.extra,
  };
}

/** The SSE events of a streamed response (`event: response.created` … `response.completed`). */
export function responseStreamEvents(
  request: ResponsesRequest,
  ids: ResponsesIds,
  options: { model: string; createdAt: number; extra?: Record<string, unknown> },
): string[] {
  let sequence = 0;
  const event = (type: string, payload: Record<string, unknown>): string =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...payload })}\n\n`;
  const inProgress = responseObject(request, ids, { ...options, status: 'in_progress' });
  const events = [
    event('response.created', { response: inProgress }),
    event('response.in_progress', { response: inProgress }),
    event('response.output_item.added', { output_index: 0, item: outputItem(request.answer, ids, 'in_progress') }),
  ];
  const answer = request.answer;
  if (answer.type === 'text') {
    const location = { item_id: ids.itemId, output_index: 0, content_index: 0 };
    events.push(
      event('response.content_part.added', {
        ...location,
        part: { type: 'output_text', annotations: [], logprobs: [], text: '' },
      }),
    );
    for (const delta of splitIntoDeltas(answer.text)) {
      events.push(event('response.output_text.delta', { ...location, delta, logprobs: [] }));
    }
    events.push(event('response.output_text.done', { ...location, text: answer.text, logprobs: [] }));
    events.push(
      event('response.content_part.done', {
        ...location,
        part: { type: 'output_text', annotations: [], logprobs: [], text: answer.text },
      }),
    );
  } else {
    const argumentsText = JSON.stringify(answer.arguments);
    events.push(
      event('response.function_call_arguments.delta', { item_id: ids.itemId, output_index: 0, delta: argumentsText }),
    );
    events.push(
      event('response.function_call_arguments.done', {
        item_id: ids.itemId,
        output_index: 0,
        arguments: argumentsText,
      }),
    );
  }
  events.push(event('response.output_item.done', { output_index: 0, item: outputItem(answer, ids, 'completed') }));
  events.push(event('response.completed', { response: responseObject(request, ids, { ...options, status: 'completed' }) }));
  return events;
}

/** The `error` event a Responses stream ends with when the upstream fails mid-way. */
export function responseErrorEvent(message: string): string {
  return `event: error\ndata: ${JSON.stringify({ type: 'error', code: 'server_error', message, param: null, sequence_number: 99 })}\n\n`;
}
