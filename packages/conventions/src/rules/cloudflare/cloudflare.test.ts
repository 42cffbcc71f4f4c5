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

describe('cloudflare dynamic routes (docs-only: cloudflare-docs dynamic-routing/usage.mdx; no recording)', () => {
  it('docs-only: cf-aig-provider and cf-aig-model name who served; a custom- slug stays the user alias', () => {
    const url = 'https://gateway.ai.cloudflare.com/v1/acct/gw/dynamic/route/chat/completions';
    expect(deriveRoute({ url, responseHeaders: { 'cf-aig-provider': 'google-vertex-ai', 'cf-aig-model': 'gemini-2.5-flash', 'cf-aig-step': '1' } })).toMatchObject({
      upstream: 'gcp.vertex_ai',
      responseModel: 'gemini-2.5-flash',
      fallback: true,
    });
    expect(deriveRoute({ url, responseHeaders: { 'cf-aig-provider': 'custom-openai' } }).upstream).toBe('custom_openai');
  });
});

describe('cloudflare AWS Bedrock route (docs-only)', () => {
  it('docs-only: reads the model ID in the path, so the path ends with the vendor', () => {
    const attribution = deriveRoute({ url: 'https://gateway.ai.cloudflare.com/v1/acct/gw/aws-bedrock/bedrock-runtime/us-east-1/model/anthropic.claude-3-haiku-20240307-v1:0/converse', status: 200 });
    expect(attribution).toMatchObject({ upstream: 'aws.bedrock', path: ['cloudflare', 'aws.bedrock', 'anthropic'] });
  });
});
