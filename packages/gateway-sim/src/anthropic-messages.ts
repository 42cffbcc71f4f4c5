import { decideAnswer, estimateTokens, isRecord, splitIntoDeltas, type CannedAnswer, type OfferedTool } from './answer';
import { answerTokens, contentText } from './chat-completions';
import { ownValue } from './common';

/** An Anthropic Messages request (direct API or Bedrock InvokeModel body), reduced to what shapes the answer. */
export interface AnthropicRequest {
  model: string;
  stream: boolean;
  answer: CannedAnswer;
  inputTokens: number;
  outputTokens: number;
  body: Record<string, unknown>;
}

/** Reads a Messages body or names the first missing field, as Anthropic's validation does. */
export function readAnthropicRequest(
  body: Record<string, unknown>,
  options: { modelRequired: boolean; text?: string },
): AnthropicRequest | 'messages' | 'model' | 'max_tokens' {
  if (options.modelRequired && (typeof body.model !== 'string' || !body.model)) return 'model';
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return 'messages';
  if (typeof body.max_tokens !== 'number') return 'max_tokens';
  const tools: OfferedTool[] = [];
  if (Array.isArray(body.tools)) {
    for (const tool of body.tools) {
      if (isRecord(tool) && typeof tool.name === 'string' && tool.input_schema !== undefined) {
        tools.push({ name: tool.name, parameters: tool.input_schema });
      }
    }
  }
  const last = messages[messages.length - 1];
  const toolResult =
    isRecord(last) && last.role === 'user' && Array.isArray(last.content)
      ? last.content.find((block) => isRecord(block) && block.type === 'tool_result')
      : undefined;
  const answer = decideAnswer(
    { tools, endsWithToolResult: toolResult !== undefined, toolResultText: isRecord(toolResult) ? contentText(toolResult.content) : undefined },
    options.text,
  );
  return {
    model: typeof body.model === 'string' ? body.model : '',
    stream: body.stream === true,
    answer,
    inputTokens: estimateTokens([body.system, messages]),
    outputTokens: answerTokens(answer),
    body,
  };
}

/** Claude aliases and the dated model the API answers with. */
const DATED_CLAUDE: Record<string, string> = {
  'claude-haiku-4-5': 'claude-haiku-4-5-20251001',
  'claude-sonnet-4-5': 'claude-sonnet-4-5-20250929',
  'claude-sonnet-4-0': 'claude-sonnet-4-20250514',
  'claude-sonnet-4': 'claude-sonnet-4-20250514',
  'claude-opus-4-1': 'claude-opus-4-1-20250805',
  'claude-opus-4-0': 'claude-opus-4-20250514',
  'claude-3-7-sonnet-latest': 'claude-3-7-sonnet-20250219',
  'claude-3-5-haiku-latest': 'claude-3-5-haiku-20241022',
  'claude-3-5-sonnet-latest': 'claude-3-5-sonnet-20241022',
};

/** The dated model Anthropic reports for a requested alias. */
export function datedClaudeModel(model: string): string {
  return ownValue(DATED_CLAUDE, model) ?? model;
}

/** Ids and accounting of one Messages answer. */
export interface AnthropicAnswerShape {
  id: string;
  model: string;
  toolUseId: string;
  inferenceGeo?: string;
}

function stopReason(answer: CannedAnswer): 'end_turn' | 'tool_use' {
  return answer.type === 'text' ? 'end_turn' : 'tool_use';
}

function usage(request: AnthropicRequest, shape: AnthropicAnswerShape, outputTokens: number) {
  return {
    input_tokens: request.inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    service_tier: 'standard',
    ...(shape.inferenceGeo !== undefined ? { inference_geo: shape.inferenceGeo } : {}),
  };
}

function contentBlocks(answer: CannedAnswer, shape: AnthropicAnswerShape) {
  if (answer.type === 'text') return [{ type: 'text', text: answer.text }];
  return [{ type: 'tool_use', id: shape.toolUseId, name: answer.toolName, input: answer.arguments }];
}

/** A complete Messages response body. */
export function anthropicMessage(request: AnthropicRequest, shape: AnthropicAnswerShape) {
  return {
    id: shape.id,
    type: 'message',
    role: 'assistant',
    model: shape.model,
    content: contentBlocks(request.answer, shape),
    stop_reason: stopReason(request.answer),
    stop_sequence: null,
    usage: usage(request, shape, request.outputTokens),
  };
}

/** The stream events of a Messages answer, as `[event name, data]` pairs. */
export function anthropicStreamEvents(
  request: AnthropicRequest,
  shape: AnthropicAnswerShape,
): Array<[string, Record<string, unknown>]> {
  const answer = request.answer;
  const events: Array<[string, Record<string, unknown>]> = [
    [
      'message_start',
      {
        type: 'message_start',
        message: {
          model: shape.model,
          id: shape.id,
          type: 'message',
          role: 'assistant',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: usage(request, shape, 1),
        },
      },
    ],
  ];
  if (answer.type === 'text') {
    events.push(['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }]);
    events.push(['ping', { type: 'ping' }]);
    for (const piece of splitIntoDeltas(answer.text)) {
      events.push(['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } }]);
    }
  } else {
    events.push([
      'content_block_start',
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: shape.toolUseId, name: answer.toolName, input: {} } },
    ]);
    events.push(['ping', { type: 'ping' }]);
    const json = JSON.stringify(answer.arguments);
    const half = Math.ceil(json.length / 2);
    for (const piece of ['', json.slice(0, half), json.slice(half)]) {
      events.push(['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: piece } }]);
    }
  }
  events.push(['content_block_stop', { type: 'content_block_stop', index: 0 }]);
  events.push([
    'message_delta',
    {
      type: 'message_delta',
      delta: { stop_reason: stopReason(answer), stop_sequence: null },
      usage: {
        input_tokens: request.inputTokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: request.outputTokens,
      },
    },
  ]);
  events.push(['message_stop', { type: 'message_stop' }]);
  return events;
}
