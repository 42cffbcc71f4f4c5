import { decideAnswer, estimateTokens, isRecord, splitIntoDeltas, type CannedAnswer, type OfferedTool } from './answer';
import type { Random } from './random';
import { ownValue } from './common';

/** An OpenAI-style chat completions request, reduced to what shapes the answer. */
export interface ChatRequest {
  model: string;
  stream: boolean;
  includeUsage: boolean;
  answer: CannedAnswer;
  promptTokens: number;
  completionTokens: number;
  body: Record<string, unknown>;
}

/** Why a chat request cannot be answered. */
export type ChatRequestProblem = 'missing_messages' | 'missing_model';

/** Reads a chat completions body; `model` may be optional (Azure deployments carry it in the URL). */
export function readChatRequest(
  body: Record<string, unknown>,
  options: { modelRequired: boolean; text?: string },
): ChatRequest | ChatRequestProblem {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return 'missing_messages';
  const model = typeof body.model === 'string' ? body.model : '';
  if (!model && options.modelRequired) return 'missing_model';
  const tools: OfferedTool[] = [];
  if (Array.isArray(body.tools)) {
    for (const tool of body.tools) {
      if (isRecord(tool) && isRecord(tool.function) && typeof tool.function.name === 'string') {
        tools.push({ name: tool.function.name, parameters: tool.function.parameters });
      }
    }
  }
  const last = messages[messages.length - 1];
  const endsWithToolResult = isRecord(last) && (last.role === 'tool' || last.role === 'function');
  const toolResultText = endsWithToolResult && isRecord(last) ? contentText(last.content) : undefined;
  const answer = decideAnswer({ tools, endsWithToolResult, toolResultText }, options.text);
  const streamOptions = isRecord(body.stream_options) ? body.stream_options : {};
  return {
    model,
    stream: body.stream === true,
    includeUsage: streamOptions.include_usage === true,
    answer,
    promptTokens: estimateTokens(messages),
    completionTokens: answerTokens(answer),
    body,
  };
}

/** Output tokens of an answer. */
export function answerTokens(answer: CannedAnswer): number {
  return answer.type === 'text' ? estimateTokens(answer.text) : estimateTokens(answer.arguments) + 8;
}

/** Text of an OpenAI / Anthropic content field (string or array of parts). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => {
        if (typeof part === 'string') return part;
        if (!isRecord(part)) return '';
        if (typeof part.text === 'string') return part.text;
        if ('content' in part) return contentText(part.content);
        if (isRecord(part.json)) return JSON.stringify(part.json);
        return '';
      })
      .join('');
  }
  if (isRecord(content)) return JSON.stringify(content);
  return '';
}

/** `finish_reason` of an answer. */
export function finishReason(answer: CannedAnswer): 'stop' | 'tool_calls' {
  return answer.type === 'text' ? 'stop' : 'tool_calls';
}

/** The assistant `message` of a non-streamed chat completion. */
export function chatMessage(answer: CannedAnswer, toolCallId: string, extra: Record<string, unknown> = {}) {
  if (answer.type === 'text') return { role: 'assistant', content: answer.text, ...extra };
  return {
    role: 'assistant',
    content: null,
    tool_calls: [
      { id: toolCallId, type: 'function', function: { name: answer.toolName, arguments: JSON.stringify(answer.arguments) } },
    ],
    ...extra,
  };
}

/** The `delta` objects of a streamed chat completion, before the finish chunk. */
export function chatDeltas(answer: CannedAnswer, toolCallId: string): Array<Record<string, unknown>> {
  if (answer.type === 'text') {
    const pieces = splitIntoDeltas(answer.text);
    return pieces.map((piece, index) => (index === 0 ? { role: 'assistant', content: piece } : { content: piece }));
  }
  const argumentsText = JSON.stringify(answer.arguments);
  const half = Math.ceil(argumentsText.length / 2);
  return [
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ index: 0, id: toolCallId, type: 'function', function: { name: answer.toolName, arguments: '' } }],
    },
    { tool_calls: [{ index: 0, function: { arguments: argumentsText.slice(0, half) } }] },
    { tool_calls: [{ index: 0, function: { arguments: argumentsText.slice(half) } }] },
  ];
}

/** OpenAI-style `usage` with the detail objects OpenAI sends. */
export function openAiUsage(promptTokens: number, completionTokens: number) {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** `chatcmpl-` + 29 characters, like OpenAI's ids. */
export function chatCompletionId(random: Random): string {
  return `chatcmpl-${random.string(29)}`;
}

/** `call_` + 24 characters, like OpenAI's tool call ids. */
export function toolCallIdFor(random: Random): string {
  return `call_${random.string(24)}`;
}

/** `data: <json>` SSE framing of one chunk. */
export function dataLine(value: unknown): string {
  return `data: ${typeof value === 'string' ? value : JSON.stringify(value)}\n\n`;
}

/** Model snapshots OpenAI and Azure report for the names callers use. */
const DATED_OPENAI_MODELS: Record<string, string> = {
  'gpt-4o': 'gpt-4o-2024-08-06',
  'gpt-4o-mini': 'gpt-4o-mini-2024-07-18',
  'gpt-4.1': 'gpt-4.1-2025-04-14',
  'gpt-4.1-mini': 'gpt-4.1-mini-2025-04-14',
  'gpt-4.1-nano': 'gpt-4.1-nano-2025-04-14',
  'gpt-5': 'gpt-5-2025-08-07',
  'gpt-5-mini': 'gpt-5-mini-2025-08-07',
  'gpt-5-nano': 'gpt-5-nano-2025-08-07',
  'gpt-3.5-turbo': 'gpt-3.5-turbo-0125',
  'o3-mini': 'o3-mini-2025-01-31',
  'o4-mini': 'o4-mini-2025-04-16',
};

/** The dated snapshot OpenAI returns in body `model` for a requested alias. */
export function datedOpenAiModel(model: string): string {
  if (/-\d{4}-\d{2}-\d{2}$/.test(model) || /-\d{4}$/.test(model)) return model;
  return ownValue(DATED_OPENAI_MODELS, model) ?? `${model}-2025-08-07`;
}

const KNOWN_AZURE_BASE_MODELS = Object.keys(DATED_OPENAI_MODELS).sort((left, right) => right.length - left.length);

/**
 * The versioned model Azure serves behind a deployment name (`gpt-4o-eastus` → `gpt-4o-2024-11-20`,
 * `support-gpt-4o` → `gpt-4o-2024-11-20`). Deployment names are free-form, but Azure always answers
 * with the base model's versioned name, never the deployment's; an unrecognisable name serves gpt-4o.
 */
export function azureServedModel(deployment: string): string {
  const tokens = deployment.toLowerCase();
  const base = KNOWN_AZURE_BASE_MODELS.find((name) => {
    const at = tokens.indexOf(name);
    if (at < 0) return false;
    const before = tokens[at - 1] ?? '';
    const after = tokens[at + name.length] ?? '';
    return (before === '' || /[^a-z0-9.]/.test(before)) && (after === '' || /[^a-z0-9.]/.test(after));
  });
  if (base === undefined || base === 'gpt-4o') return 'gpt-4o-2024-11-20';
  return DATED_OPENAI_MODELS[base]!;
}
