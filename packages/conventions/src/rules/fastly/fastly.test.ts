import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveRoute } from '../../derive-route';
import { upstreamHostOfPath } from './fastly';

// No recorded Fastly AI Accelerator response was found (the api-evangelist "example" JSON is
// generated): the observations follow Fastly's documented base URLs and its X-Cache header; the
// values are synthetic.
describe('fastly rule (docs-only: AI Accelerator docs, synthetic values)', () => {
  it('docs-only: the OpenAI base URL names OpenAI as the upstream', () => {
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
