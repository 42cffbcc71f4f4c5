import { describe, expect, it } from 'vitest';
import { deriveRoute } from '../../derive-route';

describe('cloudflare rule (docs-only header values: no recording with cf-aig-* values was found)', () => {
  it('docs-only: a cache hit names no upstream', () => {
    const attribution = deriveRoute({
      url: 'https://gateway.ai.cloudflare.com/v1/acct/gw/openai/chat/completions',
      responseHeaders: { 'cf-aig-cache-status': 'HIT', 'cf-aig-log-id': '01JADMCQQQBWH3NXZ5GCRN98DP' },
      responseBody: { model: 'gpt-4o-mini' },
    });
    expect(attribution).toMatchObject({ gateway: 'cloudflare', cacheHit: true, requestId: '01JADMCQQQBWH3NXZ5GCRN98DP' });
    expect(attribution.upstream).toBeUndefined();
  });

  it('takes the provider path segment as a routing directive', () => {
    expect(deriveRoute({ url: 'https://gateway.ai.cloudflare.com/v1/acct/gw/anthropic/v1/messages', status: 200 }).upstream).toBe('anthropic');
    expect(deriveRoute({ url: 'https://gateway.ai.cloudflare.com/v1/acct/gw/workers-ai/@cf/meta/llama', status: 200 }).upstream).toBe('cloudflare.workers_ai');
  });
});
