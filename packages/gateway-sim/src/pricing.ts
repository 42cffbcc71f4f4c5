/**
 * What a simulated call costs, in USD: a price per million tokens for the model family, times a
 * factor per upstream, so the same call costs differently depending on who served it (the reason
 * teams route). Deterministic: tokens, model and upstream decide it. The figures are made up for
 * the simulator; real gateways report the cost they billed, never a price list.
 */
export interface CallCost {
  prompt: number;
  completion: number;
  total: number;
}

/** USD per million input / output tokens, by a substring of the model name (first match wins). */
const MODEL_PRICES: Array<[pattern: string, input: number, output: number]> = [
  ['opus', 15, 75],
  ['sonnet', 3, 15],
  ['haiku', 1, 5],
  ['claude', 3, 15],
  ['gpt-4o-mini', 0.15, 0.6],
  ['gpt-4.1-mini', 0.4, 1.6],
  ['gpt-4.1', 2, 8],
  ['gpt-4o', 2.5, 10],
  ['gpt-5', 1.25, 10],
  ['nova-lite', 0.06, 0.24],
  ['gemini', 0.3, 2.5],
  ['llama', 0.6, 0.6],
  ['mistral', 0.4, 2],
];

/** Upstreams that sell the same model cheaper or dearer than the model's maker (servedby ids). */
const UPSTREAM_FACTORS: Record<string, number> = {
  together: 0.8,
  deepinfra: 0.7,
  fireworks: 0.9,
  groq: 0.85,
  'gcp.vertex_ai': 1.1,
  'aws.bedrock': 1.05,
  'azure.ai.openai': 1.1,
};

function round(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}

/** The cost of a call with these token counts, served by `upstreamId` (servedby id). */
export function callCost(model: string, upstreamId: string, promptTokens: number, completionTokens: number): CallCost {
  const lower = model.toLowerCase();
  const [, input, output] = MODEL_PRICES.find(([pattern]) => lower.includes(pattern)) ?? ['', 1, 4];
  const factor = Object.hasOwn(UPSTREAM_FACTORS, upstreamId) ? UPSTREAM_FACTORS[upstreamId]! : 1;
  const prompt = round((promptTokens * input * factor) / 1e6);
  const completion = round((completionTokens * output * factor) / 1e6);
  return { prompt, completion, total: round(prompt + completion) };
}
