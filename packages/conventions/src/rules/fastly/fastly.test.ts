import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFixture, observationOf } from '../../__fixtures__/load-fixtures';
import { deriveRoute } from '../../derive-route';
import { upstreamHostOfPath } from './fastly';

// One real recording (a semantic-cache MISS to OpenAI, `__fixtures__/`, asserted whole by
// fixtures.test.ts). No HIT, Azure or compat recording was found: those tests follow Fastly's
// documented base URLs and headers, with synthetic values (the api-evangelist "example" JSON is
// generated, not recorded).
describe('fastly rule on a real recording', () => {
  it('a semantic-cache MISS through ai.fastly.app/api.openai.com is OpenAI serving', () => {
    const attribution = deriveRoute(observationOf(loadFixture('fastly-ai-accelerator-openai-semantic-cache-miss.json')));
    expect(attribution.upstream).toBe('openai');
    expect(attribution.cacheHit).toBe(false);
    expect(attribution.responseModel).toBe('gpt-4o-mini-2024-07-18');
  });

  it("the accelerator's x-semantic-cache decides over the CDN's X-Cache", () => {
    const fixture = loadFixture('fastly-ai-accelerator-openai-semantic-cache-miss.json');
    const observation = observationOf(fixture);
    const hit = deriveRoute({ ...observation, responseHeaders: { ...fixture.response.headers, 'x-semantic-cache': 'HIT' } });
    expect(hit.cacheHit).toBe(true);
    expect(hit.upstream).toBeUndefined();
    expect(hit.evidence).toContain('header.x-semantic-cache');
    const cdnHitOnly = deriveRoute({ ...observation, responseHeaders: { ...fixture.response.headers, 'x-cache': 'HIT' } });
    expect(cdnHitOnly.cacheHit).toBe(false);
  });
});

describe('fastly rule (docs-only where no recording exists: AI Accelerator docs, synthetic values)', () => {
  it('the OpenAI base URL names OpenAI as the upstream (also backed by the real recording above)', () => {
    expect(
      deriveRoute({
        url: 'https://ai.fastly.app/api.openai.com/v1/chat/completions',
        requestModel: 'gpt-4o-mini',
        responseHeaders: { 'x-cache': 'MISS' },
        responseBody: { id: 'chatcmpl-docs-example', model: 'gpt-4o-mini-2024-07-18', choices: [] },
        status: 200,
      }),
    ).toEqual({
      system: 'fastly',
      gateway: 'fastly',
      upstream: 'openai',
      path: ['fastly', 'openai'],
      requestModel: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini-2024-07-18',
      cacheHit: false,
      evidence: ['body.model', 'url'],
    });
  });

  it('docs-only: a semantic-cache hit names no upstream and no served model', () => {
    const attribution = deriveRoute({
      url: 'https://ai.fastly.app/api.openai.com/v1/chat/completions',
      requestModel: 'gpt-4o-mini',
      responseHeaders: { 'x-cache': 'HIT' },
      responseBody: { id: 'chatcmpl-docs-example', model: 'gpt-4o-mini-2024-07-18', choices: [] },
      status: 200,
    });
    expect(attribution.cacheHit).toBe(true);
    expect(attribution.upstream).toBeUndefined();
    expect(attribution.responseModel).toBeUndefined();
  });

  it('docs-only: an Azure resource host names Azure OpenAI; an unknown compat host names nothing', () => {
    expect(deriveRoute({ url: 'https://ai.fastly.app/contoso.openai.azure.com/openai/deployments/d/chat/completions', status: 200 }).upstream).toBe('azure.ai.openai');
    expect(deriveRoute({ url: 'https://ai.fastly.app/compat/openai/llm.internal.example/v1/chat/completions', status: 200 }).upstream).toBeUndefined();
  });
});

describe('upstreamHostOfPath', () => {
  it('reads the documented shapes', () => {
    expect(upstreamHostOfPath(['api.openai.com', 'v1', 'chat', 'completions'])).toBe('api.openai.com');
    expect(upstreamHostOfPath(['compat', 'openai', 'api.groq.com', 'openai', 'v1'])).toBe('api.groq.com');
    expect(upstreamHostOfPath(['v1', 'chat'])).toBeUndefined();
  });

  it('returns only host-shaped, bounded values on hostile input', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom('compat', 'openai', 'constructor', '..', 'a..b'), fc.domain(), fc.string({ maxLength: 300 })), { maxLength: 6 }), (segments) => {
        const host = upstreamHostOfPath(segments);
        expect(host === undefined || (host.length <= 253 && /^[a-z0-9.-]+$/.test(host) && host.includes('.'))).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });
});
