import { describe, expect, it } from 'vitest';
import { deriveRoute } from '../../derive-route';

describe('helicone rule (docs-only: no Helicone response recording was found)', () => {
  it("docs-only: a provider-specific host names the upstream; Helicone's cache hit names none", () => {
    expect(deriveRoute({ url: 'https://oai.helicone.ai/v1/chat/completions', status: 200, responseHeaders: { 'helicone-id': 'h1' } })).toMatchObject({
      gateway: 'helicone',
      upstream: 'openai',
      requestId: 'h1',
    });
    const hit = deriveRoute({ url: 'https://oai.helicone.ai/v1/chat/completions', responseHeaders: { 'helicone-id': 'h2', 'helicone-cache': 'HIT' }, responseBody: { model: 'gpt-4o' } });
    expect(hit).toMatchObject({ cacheHit: true });
    expect(hit.upstream).toBeUndefined();
  });
});
