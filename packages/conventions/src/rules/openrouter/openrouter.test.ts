import { describe, expect, it } from 'vitest';
import { deriveRoute } from '../../derive-route';
import { normalizeProvider } from '../../providers';
import credits402 from './__fixtures__/openrouter-credits-402-gateway.json';
import relayedGoogle429 from './__fixtures__/openrouter-upstream-429-provider-google.json';

const URL = 'https://openrouter.ai/api/v1/chat/completions';

describe('openrouter rule', () => {
  it.each([
    ['Z.AI', 'zai'],
    ['xAI', 'x_ai'],
    ['Mistral', 'mistral_ai'],
    ['Google', 'gcp.vertex_ai'],
    ['Google AI Studio', 'gcp.gemini'],
    ['Amazon Bedrock', 'aws.bedrock'],
    ['Azure', 'azure.ai.openai'],
    ['Together 2', 'together'],
    ['Cloudflare', 'cloudflare.workers_ai'],
    ['Some New Host 3', 'some_new_host'],
  ])('names %s as %s', (name, id) => {
    expect(normalizeProvider(name, 'openrouter')).toBe(id);
  });

  it("treats OpenRouter's own refusals (no provider named) as the gateway's", () => {
    for (const [status, body] of [
      [401, { error: { message: 'Missing Authentication header', code: 401 } }],
      [402, { error: { message: 'This request requires more credits', code: 402, metadata: { provider_name: null } } }],
    ] as const) {
      const attribution = deriveRoute({ url: URL, status, responseBody: body });
      expect(attribution).toMatchObject({ gateway: 'openrouter', errorSource: 'gateway' });
      expect(attribution.upstream).toBeUndefined();
    }
  });

  it("treats a relayed provider error as the upstream's, and keeps the upstream", () => {
    const attribution = deriveRoute({ url: URL, status: 429, responseBody: { error: { code: 429, message: 'Provider returned error', metadata: { provider_name: 'Google' } } } });
    expect(attribution).toMatchObject({ upstream: 'gcp.vertex_ai', errorSource: 'upstream' });
  });

  it("recognises OpenRouter's relayed-error body on a host it does not own (real 429 recording, the base URL of a proxy or the sim)", () => {
    const attribution = deriveRoute({
      url: 'http://127.0.0.1:8787/api/v1/chat/completions',
      status: relayedGoogle429.response.status,
      responseHeaders: { 'content-type': 'application/json' },
      responseBody: relayedGoogle429.response.body,
    });
    expect(attribution).toMatchObject({ system: 'openrouter', gateway: 'openrouter', upstream: 'gcp.vertex_ai', errorSource: 'upstream' });
    expect(attribution.evidence).toContain('body.error.metadata.provider_name');
  });

  it("recognises OpenRouter's own 402 by the user_id beside the error on a host it does not own (real recording): the gateway refused", () => {
    const attribution = deriveRoute({ url: 'http://127.0.0.1:8787/api/v1/chat/completions', status: credits402.response.status, responseBody: credits402.response.body });
    expect(attribution).toMatchObject({ system: 'openrouter', gateway: 'openrouter', errorSource: 'gateway' });
    expect(attribution.upstream).toBeUndefined();
    expect(attribution.evidence).toContain('body.user_id');
    // gateway-sim's free-tier 429 shape: limit_source names OpenRouter's own limit.
    const freeTier = deriveRoute({ url: 'http://127.0.0.1:8787/api/v1/chat/completions', status: 429, responseBody: { error: { message: 'Rate limit exceeded: free-models-per-day', code: 429, metadata: { limit_source: 'openrouter_free_tier_daily' } } } });
    expect(freeTier).toMatchObject({ system: 'openrouter', errorSource: 'gateway' });
    // An error with a user id of another shape names nobody.
    expect(deriveRoute({ url: 'http://127.0.0.1:8787/v1/chat/completions', status: 402, responseBody: { error: { message: 'x' }, user_id: 42 } }).system).not.toBe('openrouter');
  });

  it('recognises OpenRouter from its generation id alone (embeddings, images), never deciding the upstream from it', () => {
    for (const id of ['gen-emb-1780944464-aVi4x8Mw2aEBGnCL6z99', 'gen-1780944464-aVi4x8Mw2aEBGnCL6z99']) {
      const attribution = deriveRoute({ url: 'http://127.0.0.1:9/v1/embeddings', responseBody: { id, object: 'list' } });
      expect(attribution).toMatchObject({ system: 'openrouter', gateway: 'openrouter', requestId: id });
      expect(attribution.upstream).toBeUndefined();
    }
  });

  it('reads the cost and the selected endpoint of openrouter_metadata', () => {
    const attribution = deriveRoute({
      url: URL,
      responseBody: { id: 'gen-1-a', usage: { cost: 0.0042 }, openrouter_metadata: { attempt: 2, endpoints: { available: [{ provider: 'Fireworks', selected: false }, { provider: 'Together', selected: true }] } } },
    });
    expect(attribution).toMatchObject({ upstream: 'together', cost: 0.0042, attempts: 2, fallback: true });
  });
});
