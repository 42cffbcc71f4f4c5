import { describe, expect, it } from 'vitest';
import { deriveRoute } from '../../derive-route';

// No recorded Bifrost response was found (its repository snapshot is too large to fetch here):
// the observations follow docs.getbifrost.ai/providers/response-headers; the values are synthetic.
const BIFROST = 'http://localhost:8080/v1/chat/completions';

describe('bifrost rule (docs-only: response-headers reference, synthetic values)', () => {
  it('docs-only: the routing headers name the provider and model that served', () => {
    expect(
      deriveRoute({
        url: BIFROST,
        requestModel: 'openai/gpt-4o-mini',
        responseHeaders: {
          'x-bifrost-request-id': 'docs-example-request-id',
          'x-bifrost-provider': 'vertex',
          'x-bifrost-original-model': 'openai/gpt-4o-mini',
          'x-bifrost-resolved-model': 'gemini-2.5-flash',
        },
        responseBody: { id: 'docs-example', model: 'gemini-2.5-flash', choices: [] },
        status: 200,
      }),
    ).toEqual({
      system: 'bifrost',
      gateway: 'bifrost',
      upstream: 'gcp.vertex_ai',
      path: ['bifrost', 'gcp.vertex_ai', 'google'],
      requestModel: 'openai/gpt-4o-mini',
      responseModel: 'gemini-2.5-flash',
      requestId: 'docs-example-request-id',
      evidence: ['header.x-bifrost-provider', 'header.x-bifrost-resolved-model', 'header.x-bifrost-request-id'],
    });
  });

  it('docs-only: a refusal before routing carries only the correlation headers: the gateway refused', () => {
    const attribution = deriveRoute({ url: BIFROST, responseHeaders: { 'x-bifrost-request-id': 'docs-example-request-id' }, status: 429 });
    expect(attribution.system).toBe('bifrost');
    expect(attribution.errorSource).toBe('gateway');
    expect(attribution.upstream).toBeUndefined();
  });

  it('docs-only: an upstream error keeps the provider of the attempt that failed', () => {
    const attribution = deriveRoute({ url: BIFROST, responseHeaders: { 'x-bifrost-request-id': 'r', 'x-bifrost-provider': 'anthropic' }, status: 529 });
    expect(attribution.errorSource).toBe('upstream');
    expect(attribution.upstream).toBe('anthropic');
  });

  it('a provider named like a prototype key is folded like any unknown name', () => {
    const attribution = deriveRoute({ url: BIFROST, responseHeaders: { 'x-bifrost-request-id': 'r', 'x-bifrost-provider': 'constructor' }, status: 200 });
    expect(attribution.upstream).toBe('constructor');
    expect(typeof attribution.upstream).toBe('string');
  });
});
