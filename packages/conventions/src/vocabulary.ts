/**
 * The provider vocabulary (DESIGN.md §2.2): the fold rule, the names every source agrees on, and
 * the model-vendor rules of §2.5. Each gateway's own names table lives in its rule module
 * (`rules/<id>/<id>.ts`); {@link normalizeName} applies one. Every table is a `Map`: a name such
 * as `constructor` or `__proto__` is an ordinary unknown name, folded like any other.
 */
import { createBoundedMemo, type BoundedMemo } from './shared/memo';

/** Builds a lookup table whose keys are own keys only. */
export function tableOf(entries: Record<string, string>): ReadonlyMap<string, string> {
  return new Map(Object.entries(entries));
}

// Names every source agrees on, keyed by the folded form (see foldProviderName).
const COMMON_NAMES: ReadonlyMap<string, string> = tableOf({
  openai: 'openai',
  anthropic: 'anthropic',
  amazon_bedrock: 'aws.bedrock',
  aws_bedrock: 'aws.bedrock',
  bedrock: 'aws.bedrock',
  aws: 'aws.bedrock',
  azure: 'azure.ai.openai',
  azure_openai: 'azure.ai.openai',
  azure_ai_openai: 'azure.ai.openai',
  azure_ai: 'azure.ai.inference',
  azure_ai_inference: 'azure.ai.inference',
  azure_ai_foundry: 'azure.ai.inference',
  azure_foundry: 'azure.ai.inference',
  google_ai_studio: 'gcp.gemini',
  gemini: 'gcp.gemini',
  google_gemini: 'gcp.gemini',
  gcp_gemini: 'gcp.gemini',
  google_generative_ai: 'gcp.gemini',
  google_genai: 'gcp.gemini',
  vertex: 'gcp.vertex_ai',
  vertex_ai: 'gcp.vertex_ai',
  vertexai: 'gcp.vertex_ai',
  google_vertex: 'gcp.vertex_ai',
  google_vertex_ai: 'gcp.vertex_ai',
  google_vertexai: 'gcp.vertex_ai',
  gcp_vertex_ai: 'gcp.vertex_ai',
  vertex_anthropic: 'gcp.vertex_ai',
  vertexanthropic: 'gcp.vertex_ai',
  mistral: 'mistral_ai',
  mistralai: 'mistral_ai',
  mistral_ai: 'mistral_ai',
  xai: 'x_ai',
  x_ai: 'x_ai',
  grok: 'x_ai',
  z_ai: 'zai',
  zai: 'zai',
  zhipu: 'zai',
  zhipuai: 'zai',
  moonshot: 'moonshot_ai',
  moonshotai: 'moonshot_ai',
  moonshot_ai: 'moonshot_ai',
  together: 'together',
  together_ai: 'together',
  togetherai: 'together',
  fireworks: 'fireworks',
  fireworks_ai: 'fireworks',
  fireworksai: 'fireworks',
  perplexity: 'perplexity',
  perplexity_ai: 'perplexity',
  watsonx: 'ibm.watsonx.ai',
  ibm: 'ibm.watsonx.ai',
  ibm_watsonx: 'ibm.watsonx.ai',
  ibm_watsonx_ai: 'ibm.watsonx.ai',
  cohere: 'cohere',
  cohere_chat: 'cohere',
  deepseek: 'deepseek',
  groq: 'groq',
  qwen: 'alibaba',
  alibaba: 'alibaba',
  alibaba_cloud: 'alibaba',
  dashscope: 'alibaba',
  meta: 'meta',
  meta_llama: 'meta',
  huggingface: 'huggingface',
  hugging_face: 'huggingface',
  hf: 'huggingface',
  hf_inference: 'huggingface',
  openrouter: 'openrouter',
  litellm: 'litellm',
  litellm_proxy: 'litellm',
  vercel: 'vercel',
  vercel_ai_gateway: 'vercel',
  gateway: 'vercel',
  portkey: 'portkey',
  cloudflare: 'cloudflare',
  workers_ai: 'cloudflare.workers_ai',
  cloudflare_ai_gateway: 'cloudflare',
  helicone: 'helicone',
  kong: 'kong',
  novitaai: 'novita',
  novita_ai: 'novita',
  nebius_ai_studio: 'nebius',
  nebius_token_factory: 'nebius',
  nvidia_nim: 'nvidia',
  voyageai_by_mongodb: 'voyage',
  voyageai: 'voyage',
  minimax: 'minimax',
});

// Semconv well-known values contain dots; they pass through unchanged.
const WELL_KNOWN_VALUES: ReadonlySet<string> = new Set([
  'aws.bedrock',
  'azure.ai.inference',
  'azure.ai.openai',
  'gcp.gemini',
  'gcp.gen_ai',
  'gcp.vertex_ai',
  'ibm.watsonx.ai',
  'aws.sagemaker',
  'azure.apim',
  'cloudflare.workers_ai',
]);

const MAX_PROVIDER_NAME_LENGTH = 64;
const MAX_CACHE_ENTRIES = 1024;

/**
 * The fold rule for names no table knows: lower-case, runs of non-alphanumerics become one `_`,
 * a trailing pool number is dropped (`"Together 2"` → `together`).
 */
export function foldProviderName(name: string): string {
  let folded = String(name)
    .slice(0, MAX_PROVIDER_NAME_LENGTH * 2)
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const withoutPool = folded.replace(/_\d+$/, '');
  if (withoutPool.length > 0) folded = withoutPool;
  return folded.slice(0, MAX_PROVIDER_NAME_LENGTH);
}

const NO_TABLE: ReadonlyMap<string, string> = new Map();
// Provider names are few and repeat on every call: one bounded memo per names table.
const MEMOS = new WeakMap<ReadonlyMap<string, string>, BoundedMemo<string>>();

/**
 * Maps a provider name, as one gateway spells it, into the vocabulary: the gateway's own
 * `table` first, then the names every source agrees on, then the fold rule. Never drops a name.
 *
 * @example normalizeName('Together 2', OPENROUTER_NAMES) // 'together'
 */
export function normalizeName(name: string, table: ReadonlyMap<string, string> = NO_TABLE): string {
  if (typeof name !== 'string') return '';
  let memo = MEMOS.get(table);
  if (memo === undefined) {
    memo = createBoundedMemo<string>(MAX_CACHE_ENTRIES, MAX_PROVIDER_NAME_LENGTH * 2);
    MEMOS.set(table, memo);
  }
  return memo.get(name, (key) => normalizeUncached(key, table));
}

function normalizeUncached(name: string, table: ReadonlyMap<string, string>): string {
  const trimmed = name.trim().slice(0, MAX_PROVIDER_NAME_LENGTH * 2);
  if (trimmed.length === 0) return '';
  const lower = trimmed.toLowerCase();
  if (WELL_KNOWN_VALUES.has(lower)) return lower;
  const plain = lower.replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  const plainWithoutPool = plain.replace(/_\d+$/, '');
  const folded = foldProviderName(trimmed);
  for (const key of [plain, plainWithoutPool, folded]) {
    const fromSource = table.get(key);
    if (fromSource) return fromSource;
    const common = COMMON_NAMES.get(key);
    if (common) return common;
  }
  return plainWithoutPool.length > 0 ? plainWithoutPool.slice(0, MAX_PROVIDER_NAME_LENGTH) : folded;
}

// Bedrock model-ID vendor prefixes (the text before the first dot), mapped into the vocabulary.
const BEDROCK_VENDORS: ReadonlyMap<string, string> = tableOf({
  anthropic: 'anthropic',
  amazon: 'amazon',
  meta: 'meta',
  cohere: 'cohere',
  mistral: 'mistral_ai',
  ai21: 'ai21',
  deepseek: 'deepseek',
  openai: 'openai',
  qwen: 'alibaba',
  moonshot: 'moonshot_ai',
  moonshotai: 'moonshot_ai',
  minimax: 'minimax',
  zai: 'zai',
  nvidia: 'nvidia',
  google: 'google',
  writer: 'writer',
  stability: 'stability',
  twelvelabs: 'twelvelabs',
  luma: 'luma',
});

/** Vendor of a Bedrock vendor prefix (`mistral` → `mistral_ai`); unknown prefixes are folded. */
export function bedrockVendor(prefix: string): string {
  const key = prefix.toLowerCase();
  return BEDROCK_VENDORS.get(key) ?? foldProviderName(key);
}

/** `true` when the prefix is a Bedrock vendor prefix servedby knows. */
export function isKnownBedrockVendor(prefix: string): boolean {
  return BEDROCK_VENDORS.has(prefix.toLowerCase());
}

// Model families, matched against the model name (without any `vendor/` or `vendor.` prefix).
const MODEL_FAMILIES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^claude/, 'anthropic'],
  [/^(gpt|chatgpt|o[1-9](?:$|-)|text-embedding|text-davinci|davinci|babbage|dall-e|whisper|tts-|omni-moderation|codex)/, 'openai'],
  [/^(meta-)?llama/, 'meta'],
  [/^(mistral|mixtral|pixtral|codestral|ministral|magistral|devstral|voxtral|open-mistral|open-mixtral)/, 'mistral_ai'],
  [/^(command|cohere|c4ai|aya|rerank-)/, 'cohere'],
  [/^(embed-(english|multilingual|v))/, 'cohere'],
  [/^(gemini|gemma|palm-?2|learnlm|text-bison|chat-bison)/, 'google'],
  [/^grok/, 'x_ai'],
  [/^deepseek/, 'deepseek'],
  [/^(qwen|qwq)/, 'alibaba'],
  [/^(kimi|moonshot)/, 'moonshot_ai'],
  [/^(minimax|abab)/, 'minimax'],
  [/^(glm|chatglm|zai)/, 'zai'],
  [/^(nova|titan)/, 'amazon'],
  [/^(jamba|j2-)/, 'ai21'],
  [/^phi-?\d/, 'microsoft'],
  [/^(nemotron|nvidia)/, 'nvidia'],
  [/^palmyra/, 'writer'],
  [/^(stable-|sd3|sdxl)/, 'stability'],
  [/^sonar/, 'perplexity'],
];

// `vendor/model` prefixes (OpenRouter, Vercel, Hugging Face, Cloudflare compat) that name a model vendor.
const MODEL_PATH_VENDORS: ReadonlyMap<string, string> = tableOf({
  anthropic: 'anthropic',
  openai: 'openai',
  'meta-llama': 'meta',
  meta: 'meta',
  mistralai: 'mistral_ai',
  mistral: 'mistral_ai',
  cohere: 'cohere',
  google: 'google',
  'x-ai': 'x_ai',
  xai: 'x_ai',
  deepseek: 'deepseek',
  'deepseek-ai': 'deepseek',
  qwen: 'alibaba',
  alibaba: 'alibaba',
  moonshotai: 'moonshot_ai',
  minimax: 'minimax',
  'z-ai': 'zai',
  zai: 'zai',
  'zai-org': 'zai',
  thudm: 'zai',
  amazon: 'amazon',
  ai21: 'ai21',
  nvidia: 'nvidia',
  microsoft: 'microsoft',
  writer: 'writer',
  perplexity: 'perplexity',
});

const VENDOR_MEMO = createBoundedMemo<string | null>(MAX_CACHE_ENTRIES, 256);

/**
 * The vendor that made a model, from its ID (DESIGN.md §2.5): Bedrock `vendor.` prefixes,
 * `vendor/model` slugs, then model families (`grok-` → `x_ai`, `gpt-oss` → `openai`).
 * Returns `undefined` when the ID reveals no vendor.
 *
 * @example modelVendor('anthropic.claude-3-5-sonnet-20240620-v1:0') // 'anthropic'
 * @example modelVendor('grok-4-1-fast-non-reasoning')                // 'x_ai'
 */
export function modelVendor(modelId: string | undefined): string | undefined {
  if (typeof modelId !== 'string') return undefined;
  return VENDOR_MEMO.get(modelId, (id) => modelVendorUncached(id) ?? null) ?? undefined;
}

function modelVendorUncached(modelId: string): string | undefined {
  let name = modelId.trim().toLowerCase().slice(0, 256);
  if (name.length === 0) return undefined;
  const slash = name.indexOf('/');
  if (slash > 0) {
    const pathVendor = MODEL_PATH_VENDORS.get(name.slice(0, slash));
    if (pathVendor) return pathVendor;
    name = name.slice(name.lastIndexOf('/') + 1);
  }
  const dot = name.indexOf('.');
  if (dot > 0) {
    const prefix = name.slice(0, dot);
    if (isKnownBedrockVendor(prefix)) return bedrockVendor(prefix);
  }
  for (const [pattern, vendor] of MODEL_FAMILIES) {
    if (pattern.test(name)) return vendor;
  }
  return undefined;
}

/**
 * The GenAI operation a model ID implies when the API does not say: `embeddings` for embedding
 * models (`amazon.titan-embed-text-v2:0`, `cohere.embed-v4:0`, `text-embedding-3-large`,
 * `us.cohere.embed-english-v3`), else `chat`. For APIs such as Bedrock InvokeModel that serve
 * both through one operation.
 *
 * @example modelOperation('cohere.embed-v4:0') // 'embeddings'
 */
export function modelOperation(modelId: string | undefined): 'chat' | 'embeddings' {
  if (typeof modelId !== 'string') return 'chat';
  const name = modelId.slice(0, 512).toLowerCase();
  return /(^|[./:-])(embed|embedding|embeddings)([-.:/_]|$|-?v?\d)/.test(name) || /(^|[./])text-embedding/.test(name)
    ? 'embeddings'
    : 'chat';
}
