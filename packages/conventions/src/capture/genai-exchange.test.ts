import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isGenAiExchange } from './genai-exchange';

describe('isGenAiExchange', () => {
  it.each([
    'https://api.openai.com/v1/chat/completions',
    'https://openrouter.ai/api/v1/chat/completions',
    'http://127.0.0.1:4000/openrouter/api/v1/chat/completions',
    'https://api.anthropic.com/v1/messages',
    'https://api.openai.com/v1/responses',
    'https://openrouter.ai/api/v1/embeddings',
    'https://contoso.openai.azure.com/openai/deployments/gpt-4o/chat/completions',
    'https://contoso.openai.azure.com/openai/v1/responses',
    'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:streamGenerateContent',
    'https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-sonnet/converse-stream',
    'https://ai-gateway.vercel.sh/v1/ai/language-model',
    'https://api.cohere.com/v2/chat',
  ])('counts a POST to %s', (url) => {
    expect(isGenAiExchange(url, 'POST')).toBe(true);
  });

  it.each([
    ['https://api.openai.com/v1/chat/completions', 'GET'],
    ['https://api.openai.com/v1/files', 'POST'],
    ['https://openrouter.ai/api/v1/models', 'GET'],
    ['https://example.com/messages', 'POST'],
    ['https://example.com/api/responses', 'POST'],
    ['https://example.com/chat', 'POST'],
    ['https://gateway.example/model/anthropic.claude/converse', 'POST'],
    ['https://hooks.slack.com/services/T/B/X', 'POST'],
  ])('does not count %s %s', (url, method) => {
    expect(isGenAiExchange(url, method)).toBe(false);
  });

  it('never throws on any string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.constantFrom('POST', 'GET'), (url, method) => {
        expect(typeof isGenAiExchange(url, method)).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });
});
