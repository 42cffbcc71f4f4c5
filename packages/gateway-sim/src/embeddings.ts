import { estimateTokens } from './answer';
import type { Random } from './random';

/** An embeddings request: the inputs to embed, or undefined when `input` is missing or empty. */
export function readEmbeddingInputs(body: Record<string, unknown>): string[] | undefined {
  const input = body.input;
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.length > 0) return input.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
  return undefined;
}

/** OpenAI's embeddings list: one small deterministic vector per input (8 dimensions unless asked). */
export function embeddingList(inputs: string[], model: string, random: Random, dimensions = 8) {
  const promptTokens = inputs.reduce((sum, input) => sum + estimateTokens(input), 0);
  return {
    object: 'list',
    data: inputs.map((_, index) => ({
      object: 'embedding',
      index,
      embedding: Array.from({ length: dimensions }, () => Math.round((random.next() * 2 - 1) * 1e6) / 1e6),
    })),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}
