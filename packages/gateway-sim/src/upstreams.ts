/** How one upstream provider is named by each gateway that can route to it. */
export interface UpstreamNames {
  /** servedby provider id. */
  id: string;
  /** OpenRouter display name (body `provider`). */
  openrouter: string;
  /** LiteLLM `custom_llm_provider` prefix of `x-litellm-model-name`. */
  litellm: string;
  /** LiteLLM `x-litellm-model-api-base`. */
  apiBase: string;
  /** Vercel AI Gateway provider slug (`routing.finalProvider`). */
  vercel: string;
}

const KNOWN_UPSTREAMS: UpstreamNames[] = [
  { id: 'aws.bedrock', openrouter: 'Amazon Bedrock', litellm: 'bedrock', apiBase: 'https://bedrock-runtime.us-east-1.amazonaws.com', vercel: 'bedrock' },
  { id: 'anthropic', openrouter: 'Anthropic', litellm: 'anthropic', apiBase: 'https://api.anthropic.com', vercel: 'anthropic' },
  { id: 'openai', openrouter: 'OpenAI', litellm: 'openai', apiBase: 'https://api.openai.com', vercel: 'openai' },
  { id: 'azure.ai.openai', openrouter: 'Azure', litellm: 'azure', apiBase: 'https://sim-eastus.openai.azure.com', vercel: 'azure' },
  { id: 'azure.ai.inference', openrouter: 'Azure AI Foundry', litellm: 'azure_ai', apiBase: 'https://sim-eastus.services.ai.azure.com', vercel: 'azure' },
  { id: 'gcp.vertex_ai', openrouter: 'Google', litellm: 'vertex_ai', apiBase: 'https://us-east5-aiplatform.googleapis.com', vercel: 'vertex' },
  { id: 'gcp.gemini', openrouter: 'Google AI Studio', litellm: 'gemini', apiBase: 'https://generativelanguage.googleapis.com', vercel: 'google' },
  { id: 'together', openrouter: 'Together', litellm: 'together_ai', apiBase: 'https://api.together.xyz/v1', vercel: 'together' },
  { id: 'fireworks', openrouter: 'Fireworks', litellm: 'fireworks_ai', apiBase: 'https://api.fireworks.ai/inference/v1', vercel: 'fireworks' },
  { id: 'deepinfra', openrouter: 'DeepInfra', litellm: 'deepinfra', apiBase: 'https://api.deepinfra.com/v1/openai', vercel: 'deepinfra' },
  { id: 'groq', openrouter: 'Groq', litellm: 'groq', apiBase: 'https://api.groq.com/openai/v1', vercel: 'groq' },
  { id: 'mistral_ai', openrouter: 'Mistral', litellm: 'mistral', apiBase: 'https://api.mistral.ai/v1', vercel: 'mistral' },
  { id: 'x_ai', openrouter: 'xAI', litellm: 'xai', apiBase: 'https://api.x.ai/v1', vercel: 'xai' },
  { id: 'deepseek', openrouter: 'DeepSeek', litellm: 'deepseek', apiBase: 'https://api.deepseek.com', vercel: 'deepseek' },
  { id: 'cerebras', openrouter: 'Cerebras', litellm: 'cerebras', apiBase: 'https://api.cerebras.ai/v1', vercel: 'cerebras' },
  { id: 'baseten', openrouter: 'BaseTen', litellm: 'baseten', apiBase: 'https://inference.baseten.co/v1', vercel: 'baseten' },
  { id: 'novita', openrouter: 'NovitaAI', litellm: 'novita', apiBase: 'https://api.novita.ai/v3/openai', vercel: 'novita' },
  { id: 'minimax', openrouter: 'Minimax', litellm: 'minimax', apiBase: 'https://api.minimax.io/v1', vercel: 'minimax' },
  { id: 'zai', openrouter: 'Z.AI', litellm: 'zai', apiBase: 'https://api.z.ai/api/paas/v4', vercel: 'zai' },
  { id: 'perplexity', openrouter: 'Perplexity', litellm: 'perplexity', apiBase: 'https://api.perplexity.ai', vercel: 'perplexity' },
  { id: 'cohere', openrouter: 'Cohere', litellm: 'cohere', apiBase: 'https://api.cohere.ai/v2', vercel: 'cohere' },
  { id: 'openrouter', openrouter: 'OpenRouter', litellm: 'openrouter', apiBase: 'https://openrouter.ai/api/v1', vercel: 'openrouter' },
];

const ALIASES: Record<string, string> = {
  bedrock: 'aws.bedrock',
  'amazon-bedrock': 'aws.bedrock',
  azure: 'azure.ai.openai',
  azure_ai: 'azure.ai.inference',
  vertex: 'gcp.vertex_ai',
  vertex_ai: 'gcp.vertex_ai',
  vertexanthropic: 'gcp.vertex_ai',
  google: 'gcp.gemini',
  gemini: 'gcp.gemini',
  together_ai: 'together',
  togetherai: 'together',
  'together 2': 'together',
  fireworks_ai: 'fireworks',
  mistral: 'mistral_ai',
  xai: 'x_ai',
};

/**
 * Resolves a name given in a scenario (`together`, `Together`, `aws.bedrock`, `Amazon Bedrock`, `bedrock`)
 * to every gateway's spelling. An unknown name is used verbatim everywhere, so tests can
 * invent upstreams (`upstream-42`) and still see them come through.
 */
export function resolveUpstream(name: string, vocabulary?: 'openrouter' | 'litellm' | 'vercel'): UpstreamNames {
  const lower = name.trim().toLowerCase();
  // The same word means different providers to different gateways (OpenRouter "Google" is
  // Vertex, Vercel "google" is the Gemini API), so the calling gateway's names win.
  const preferred = vocabulary ? KNOWN_UPSTREAMS.find((entry) => entry[vocabulary].toLowerCase() === lower) : undefined;
  if (preferred) return preferred;
  const direct = KNOWN_UPSTREAMS.find(
    (entry) =>
      entry.id === lower ||
      entry.openrouter.toLowerCase() === lower ||
      entry.vercel.toLowerCase() === lower ||
      entry.litellm.toLowerCase() === lower,
  );
  if (direct) return direct;
  const alias = Object.hasOwn(ALIASES, lower) ? ALIASES[lower] : undefined;
  if (alias) return KNOWN_UPSTREAMS.find((entry) => entry.id === alias)!;
  const folded = lower.replace(/[^a-z0-9]+/g, '_');
  return { id: folded, openrouter: name, litellm: folded, apiBase: `https://api.${folded.replace(/_/g, '-')}.example`, vercel: name };
}

/** Every upstream the simulator knows by name, for gateways that need their own spellings of all of them. */
export function knownUpstreams(): readonly UpstreamNames[] {
  return KNOWN_UPSTREAMS;
}

/** The vendor part of an OpenRouter / Vercel slug (`anthropic/claude-…` → `anthropic`). */
export function slugVendor(model: string): string | undefined {
  const slash = model.indexOf('/');
  return slash > 0 ? model.slice(0, slash).toLowerCase() : undefined;
}
