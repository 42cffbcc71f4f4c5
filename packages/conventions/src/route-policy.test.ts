import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveRoute } from './derive-route';
import { routeAttributes } from './route-attributes';

// DESIGN.md §2.6: the routing preferences the request itself carried.
describe('gen_ai.route.policy', () => {
  it('reads OpenRouter provider preferences, models and route, keys sorted', () => {
    const attribution = deriveRoute({
      url: 'https://openrouter.ai/api/v1/chat/completions',
      request: {
        body: {
          model: 'anthropic/claude-sonnet-4',
          messages: [{ role: 'user', content: 'secret prompt' }],
          provider: { order: ['anthropic', 'amazon-bedrock'], allow_fallbacks: true, api_key: 'sk-x' },
          models: ['anthropic/claude-sonnet-4', 'openai/gpt-4o'],
        },
      },
      responseBody: { id: 'gen-1-a', provider: 'Anthropic', model: 'anthropic/claude-sonnet-4' },
    });
    expect(attribution.policy).toBe('{"models":["anthropic/claude-sonnet-4","openai/gpt-4o"],"provider":{"allow_fallbacks":true,"order":["anthropic","amazon-bedrock"]}}');
    expect(attribution.policyHash).toBe(createHash('sha256').update(attribution.policy!).digest('hex').slice(0, 16));
    expect(JSON.stringify(attribution)).not.toContain('secret prompt');
    expect(JSON.stringify(attribution)).not.toContain('sk-x');
  });

  it('reads a text body only for the keys its policy names, escapes included', () => {
    const derive = (body: string) =>
      deriveRoute({
        url: 'https://openrouter.ai/api/v1/chat/completions',
        request: { body },
        responseBody: { id: 'gen-1-a', provider: 'Anthropic', model: 'anthropic/claude-sonnet-4' },
      });
    // No policy key in the text: no policy (and the body is not parsed for one).
    expect(derive(JSON.stringify({ model: 'anthropic/claude-sonnet-4', messages: [{ role: 'user', content: 'hi' }] })).policy).toBeUndefined();
    // A key named only inside a string value is not a key: the parse decides.
    expect(derive(JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'say "provider" twice' }] })).policy).toBeUndefined();
    expect(derive(JSON.stringify({ model: 'm', provider: { order: ['anthropic'] } })).policy).toBe('{"provider":{"order":["anthropic"]}}');
    // The same key spelled with a JSON escape is still read.
    expect(derive('{"model":"m","\\u0070rovider":{"order":["anthropic"]}}').policy).toBe('{"provider":{"order":["anthropic"]}}');
  });

  it('reads AI Gateway providerOptions.gateway from a JSON text body', () => {
    const attribution = deriveRoute({
      url: 'https://ai-gateway.vercel.sh/v1/chat/completions',
      request: { body: JSON.stringify({ model: 'anthropic/claude-sonnet-4', providerOptions: { gateway: { order: ['vertex', 'anthropic'], only: ['vertex'] } } }) },
      status: 200,
    });
    expect(attribution.policy).toBe('{"providerOptions":{"gateway":{"only":["vertex"],"order":["vertex","anthropic"]}}}');
  });

  it('reads LiteLLM fallbacks and metadata.model_group', () => {
    const attribution = deriveRoute({
      url: 'http://localhost:4000/v1/chat/completions',
      responseHeaders: { 'x-litellm-call-id': 'c1' },
      request: { body: { model: 'fast', fallbacks: ['slow'], metadata: { model_group: 'fast', user_api_key: 'sk-1' } } },
    });
    expect(attribution.policy).toBe('{"fallbacks":["slow"],"metadata":{"model_group":"fast"}}');
  });

  it('reads a Portkey config id, or an inline config without its keys', () => {
    const byId = deriveRoute({ url: 'https://api.portkey.ai/v1/chat/completions', status: 200, request: { headers: { 'x-portkey-config': 'pc-fallback-1a2b' } } });
    expect(byId.policy).toBe('{"x-portkey-config":"pc-fallback-1a2b"}');
    const inline = deriveRoute({
      url: 'https://api.portkey.ai/v1/chat/completions',
      status: 200,
      request: { headers: { 'X-Portkey-Config': JSON.stringify({ strategy: { mode: 'fallback' }, targets: [{ provider: 'openai', api_key: 'sk-1' }, { virtual_key: 'vk-2', provider: 'anthropic' }] }) } },
    });
    expect(inline.policy).toBe('{"x-portkey-config":{"strategy":{"mode":"fallback"},"targets":[{"provider":"openai"},{"provider":"anthropic"}]}}');
    expect(inline.policy).not.toContain('sk-1');
    expect(inline.policy).not.toContain('vk-2');
  });

  it('bounds the policy to 512 characters and hashes the whole canonical policy', () => {
    const models = Array.from({ length: 30 }, (_, index) => `vendor/model-with-a-long-name-${index}`);
    const attribution = deriveRoute({ url: 'https://openrouter.ai/api/v1/chat/completions', status: 200, request: { body: { models } } });
    expect(attribution.policy!.length).toBe(512);
    expect(attribution.policyHash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('ignores a request body over 1 MiB and a body that is not JSON', () => {
    const huge = `{"models":["a"],"messages":"${'x'.repeat(1 << 20)}"}`;
    expect(deriveRoute({ url: 'https://openrouter.ai/api/v1', status: 200, request: { body: huge } }).policy).toBeUndefined();
    expect(deriveRoute({ url: 'https://openrouter.ai/api/v1', status: 200, request: { body: 'models=a' } }).policy).toBeUndefined();
  });

  it('becomes the policy attributes', () => {
    const attribution = deriveRoute({ url: 'https://openrouter.ai/api/v1', status: 200, request: { body: { route: 'fallback' } } });
    expect(routeAttributes(attribution)).toMatchObject({ 'gen_ai.route.policy': '{"route":"fallback"}', 'gen_ai.route.policy_hash': attribution.policyHash });
  });
});
