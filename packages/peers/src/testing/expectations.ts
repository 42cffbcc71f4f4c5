import { expect } from 'vitest';

/**
 * What a span whose peer recorded only the response `id` and `model` may gain: the gateway, from
 * the id (OpenRouter's `gen-<time>-<id>`, the Vercel AI Gateway's `gen_<ULID>`: each unique to one
 * gateway, DESIGN §2.4 level 3), with the id as request id — never an upstream. LiteLLM, Azure and
 * OpenAI answer with `chatcmpl-…` ids, which prove nothing.
 */
export const GATEWAY_FROM_RESPONSE_ID = {
  openrouter: {
    'gen_ai.route.gateway': 'openrouter',
    'gen_ai.route.request_id': expect.stringMatching(/^gen-\d+-[A-Za-z0-9]+$/),
    'gen_ai.route.evidence': ['body.model', 'body.id'],
  },
  vercel: {
    'gen_ai.route.gateway': 'vercel',
    'gen_ai.route.request_id': expect.stringMatching(/^gen_[0-9A-Z]{26}$/),
    'gen_ai.route.evidence': ['body.id'],
  },
  litellm: {},
  azure: {},
  openai: {},
} as const;

/** The model each gateway-sim route reports as served in its body (LiteLLM re-stamps the alias). */
export const BODY_MODEL = {
  openrouter: 'anthropic/claude-4.5-haiku-20251001',
  vercel: 'anthropic/claude-sonnet-4',
  litellm: 'chat-small',
  azure: 'gpt-4o-2024-11-20',
  openai: 'gpt-4o-2024-08-06',
} as const;
