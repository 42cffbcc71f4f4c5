import { describe, expect, it } from 'vitest';
import { foldProviderName, isIndependentGateway, modelOperation, modelVendor, normalizeProvider, type ProviderNameSource } from './providers';

const table: Array<[string, ProviderNameSource | undefined, string]> = [
  // OpenRouter display names
  ['Amazon Bedrock', 'openrouter', 'aws.bedrock'],
  ['Google', 'openrouter', 'gcp.vertex_ai'],
  ['Google AI Studio', 'openrouter', 'gcp.gemini'],
  ['Azure', 'openrouter', 'azure.ai.openai'],
  ['Together 2', 'openrouter', 'together'],
  ['Together', 'openrouter', 'together'],
  ['Z.AI', 'openrouter', 'zai'],
  ['Mistral', 'openrouter', 'mistral_ai'],
  ['xAI', 'openrouter', 'x_ai'],
  ['OpenAI', 'openrouter', 'openai'],
  ['Anthropic', 'openrouter', 'anthropic'],
  ['BaseTen', 'openrouter', 'baseten'],
  ['Minimax', 'openrouter', 'minimax'],
  ['DeepInfra', 'openrouter', 'deepinfra'],
  ['Moonshot AI', 'openrouter', 'moonshot_ai'],
  ['Fireworks', 'openrouter', 'fireworks'],
  ['NovitaAI', 'openrouter', 'novita'],
  ['Nebius AI Studio', 'openrouter', 'nebius'],
  ['Perplexity', 'openrouter', 'perplexity'],
  ['Groq', 'openrouter', 'groq'],
  ['Cerebras', 'openrouter', 'cerebras'],
  ['SambaNova', 'openrouter', 'sambanova'],
  ['Hyperbolic', 'openrouter', 'hyperbolic'],
  ['Alibaba', 'openrouter', 'alibaba'],
  ['DeepSeek', 'openrouter', 'deepseek'],
  ['Cohere', 'openrouter', 'cohere'],
  ['VoyageAI by MongoDB', 'openrouter', 'voyage'],
  ['Mancer 2', 'openrouter', 'mancer'],
  ['Inference.net', 'openrouter', 'inference_net'],
  // Vercel AI Gateway slugs
  ['bedrock', 'vercel', 'aws.bedrock'],
  ['vertex', 'vercel', 'gcp.vertex_ai'],
  ['vertexAnthropic', 'vercel', 'gcp.vertex_ai'],
  ['google', 'vercel', 'gcp.gemini'],
  ['anthropic', 'vercel', 'anthropic'],
  ['openai', 'vercel', 'openai'],
  ['azure', 'vercel', 'azure.ai.openai'],
  ['deepinfra', 'vercel', 'deepinfra'],
  ['xai', 'vercel', 'x_ai'],
  ['mistral', 'vercel', 'mistral_ai'],
  ['togetherai', 'vercel', 'together'],
  ['moonshotai', 'vercel', 'moonshot_ai'],
  // LiteLLM custom_llm_provider prefixes
  ['azure', 'litellm', 'azure.ai.openai'],
  ['azure_ai', 'litellm', 'azure.ai.inference'],
  ['bedrock', 'litellm', 'aws.bedrock'],
  ['vertex_ai', 'litellm', 'gcp.vertex_ai'],
  ['gemini', 'litellm', 'gcp.gemini'],
  ['together_ai', 'litellm', 'together'],
  ['fireworks_ai', 'litellm', 'fireworks'],
  ['mistral', 'litellm', 'mistral_ai'],
  ['xai', 'litellm', 'x_ai'],
  ['groq', 'litellm', 'groq'],
  ['openrouter', 'litellm', 'openrouter'],
  ['watsonx', 'litellm', 'ibm.watsonx.ai'],
  ['text-completion-openai', 'litellm', 'openai'],
  ['hosted_vllm', 'litellm', 'vllm'],
  // Portkey slugs
  ['azure-openai', 'portkey', 'azure.ai.openai'],
  ['vertex-ai', 'portkey', 'gcp.vertex_ai'],
  ['together-ai', 'portkey', 'together'],
  ['fireworks-ai', 'portkey', 'fireworks'],
  ['perplexity-ai', 'portkey', 'perplexity'],
  ['mistral-ai', 'portkey', 'mistral_ai'],
  ['bedrock', 'portkey', 'aws.bedrock'],
  ['google', 'portkey', 'gcp.gemini'],
  // No source: well-known values pass through, unknown names fold and are never dropped
  ['aws.bedrock', undefined, 'aws.bedrock'],
  ['azure.ai.inference', undefined, 'azure.ai.inference'],
  ['ibm.watsonx.ai', undefined, 'ibm.watsonx.ai'],
  ['Some New Host 3', undefined, 'some_new_host'],
  ['  Weird--Name!! ', undefined, 'weird_name'],
  ['Parasail', undefined, 'parasail'],
  ['42', undefined, '42'],
];

describe('normalizeProvider', () => {
  it.each(table)('%s (%s) → %s', (name, source, expected) => {
    expect(normalizeProvider(name, source)).toBe(expected);
  });

  it('returns an empty string for empty or non-string input, and never throws', () => {
    expect(normalizeProvider('')).toBe('');
    expect(normalizeProvider('   ')).toBe('');
    expect(normalizeProvider(undefined as unknown as string)).toBe('');
    expect(normalizeProvider({} as unknown as string)).toBe('');
  });

  it('bounds the length of folded names', () => {
    expect(normalizeProvider('x'.repeat(10_000)).length).toBeLessThanOrEqual(64);
  });
});

describe('foldProviderName', () => {
  it('lower-cases, folds non-alphanumerics and drops a trailing pool number', () => {
    expect(foldProviderName('Together 2')).toBe('together');
    expect(foldProviderName('Z.AI')).toBe('z_ai');
    expect(foldProviderName('Google AI Studio')).toBe('google_ai_studio');
  });
});

describe('modelVendor', () => {
  const vendors: Array<[string, string | undefined]> = [
    ['anthropic.claude-3-5-sonnet-20240620-v1:0', 'anthropic'],
    ['claude-3-5-sonnet-20240620', 'anthropic'],
    ['anthropic/claude-4.5-haiku-20251001', 'anthropic'],
    ['gpt-4o-2024-11-20', 'openai'],
    ['gpt-5-nano', 'openai'],
    ['o3-mini', 'openai'],
    ['o1', 'openai'],
    ['gpt-oss-120b', 'openai'],
    ['text-embedding-3-large', 'openai'],
    ['grok-4-1-fast-non-reasoning', 'x_ai'],
    ['meta.llama3-8b-instruct-v1:0', 'meta'],
    ['Llama-3.3-70B-Instruct', 'meta'],
    ['meta-llama/llama-3.1-8b-instruct', 'meta'],
    ['mistral-large-2411', 'mistral_ai'],
    ['mistral.pixtral-large-2502-v1:0', 'mistral_ai'],
    ['cohere-embed-v3-english', 'cohere'],
    ['command-r-plus', 'cohere'],
    ['gemini-2.5-flash', 'google'],
    ['gemma-3-27b-it', 'google'],
    ['deepseek-r1', 'deepseek'],
    ['qwen3-32b', 'alibaba'],
    ['moonshotai/kimi-k2-instruct-0905', 'moonshot_ai'],
    ['kimi-k2', 'moonshot_ai'],
    ['minimax/minimax-m2:free', 'minimax'],
    ['glm-4.6', 'zai'],
    ['amazon.nova-pro-v1:0', 'amazon'],
    ['nova-lite', 'amazon'],
    ['jamba-1.5-large', 'ai21'],
    ['Phi-4-mini-instruct', 'microsoft'],
    ['nemotron-nano-9b', 'nvidia'],
    ['palmyra-x5', 'writer'],
    ['my-custom-alias', undefined],
    ['', undefined],
  ];
  it.each(vendors)('%s → %s', (model, vendor) => {
    expect(modelVendor(model)).toBe(vendor);
  });
});

describe('isIndependentGateway', () => {
  it('knows the independent gateways and nothing else', () => {
    for (const gateway of ['openrouter', 'litellm', 'vercel', 'portkey', 'cloudflare', 'helicone', 'kong', 'huggingface']) {
      expect(isIndependentGateway(gateway)).toBe(true);
    }
    for (const other of ['aws.bedrock', 'azure.ai.openai', 'openai', undefined]) {
      expect(isIndependentGateway(other)).toBe(false);
    }
  });
});

describe('modelOperation', () => {
  it.each([
    ['amazon.titan-embed-text-v2:0', 'embeddings'],
    ['amazon.titan-embed-image-v1', 'embeddings'],
    ['cohere.embed-v4:0', 'embeddings'],
    ['cohere.embed-english-v3', 'embeddings'],
    ['us.cohere.embed-multilingual-v3', 'embeddings'],
    ['text-embedding-3-large', 'embeddings'],
    ['openai/text-embedding-3-small', 'embeddings'],
    ['amazon.nova-2-multimodal-embeddings-v1:0', 'embeddings'],
    ['anthropic.claude-3-5-sonnet-20240620-v1:0', 'chat'],
    ['gpt-4o', 'chat'],
    ['meta.llama3-8b-instruct-v1:0', 'chat'],
    [undefined, 'chat'],
  ])('%s → %s', (modelId, operation) => {
    expect(modelOperation(modelId)).toBe(operation);
  });
});
