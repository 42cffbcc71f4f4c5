import { describe, expect, it } from 'vitest';
import { deriveRoute } from '../../derive-route';

describe('portkey rule', () => {
  it('answers a cache hit with no upstream and no served model', () => {
    const attribution = deriveRoute({
      url: 'https://api.portkey.ai/v1/chat/completions',
      responseHeaders: { 'x-portkey-cache-status': 'HIT', 'x-portkey-provider': 'openai', 'x-portkey-trace-id': 't' },
      responseBody: { model: 'gpt-4o-mini-2024-07-18' },
    });
    expect(attribution).toMatchObject({ gateway: 'portkey', cacheHit: true, requestId: 't' });
    expect(attribution.upstream).toBeUndefined();
    expect(attribution.responseModel).toBeUndefined();
  });

  it('names Workers AI, not the Cloudflare gateway, for workers-ai', () => {
    expect(deriveRoute({ url: 'https://api.portkey.ai/v1', responseHeaders: { 'x-portkey-provider': 'workers-ai' } }).upstream).toBe('cloudflare.workers_ai');
  });
});

describe('portkey managed host (docs-only: portkey.ai/docs/aigw)', () => {
  it('docs-only: aigw.portkey.ai is Portkey', () => {
    expect(deriveRoute({ url: 'https://aigw.portkey.ai/v1/chat/completions', responseHeaders: { 'x-portkey-provider': 'anthropic' } })).toMatchObject({ gateway: 'portkey', upstream: 'anthropic' });
  });
});
