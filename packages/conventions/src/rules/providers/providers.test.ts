import { describe, expect, it } from 'vitest';
import { deriveRoute } from '../../derive-route';
import { DIRECT_PROVIDERS } from './providers';

describe('direct providers (one family module)', () => {
  it('has one row per provider id', () => {
    const ids = DIRECT_PROVIDERS.map((provider) => provider.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(DIRECT_PROVIDERS.map((provider) => [provider.id, provider.hosts[0]!] as const))('%s is its own upstream on %s', (id, host) => {
    expect(deriveRoute({ url: `https://${host}/v1/chat/completions`, status: 200 })).toMatchObject({ system: id, upstream: id });
  });

  it("reads Anthropic's inference_geo as a region scope (not_available → unset) and Perplexity's region", () => {
    expect(deriveRoute({ url: 'https://api.anthropic.com/v1/messages', responseBody: { id: 'msg_01', type: 'message', usage: { inference_geo: 'eu' } } }).regionScope).toBe('eu');
    expect(deriveRoute({ url: 'https://api.anthropic.com/v1/messages', responseBody: { id: 'msg_01', type: 'message', usage: { inference_geo: 'not_available' } } }).regionScope).toBeUndefined();
    expect(deriveRoute({ url: 'https://api.perplexity.ai/chat/completions', responseHeaders: { 'x-ppl-region': 'us-east-1' } }).region).toBe('us-east-1');
  });

  it('takes the Fireworks deployment that served, wherever Fireworks stands', () => {
    expect(deriveRoute({ url: 'https://api.fireworks.ai/inference/v1/chat/completions', responseHeaders: { 'fireworks-deployment': 'accounts/x/deployments/d1' } }).deployment).toBe('accounts/x/deployments/d1');
  });

  it('never lets a host alone decide for a request that got no response', () => {
    expect(deriveRoute({ url: 'https://api.openai.com/v1/chat/completions', responseReceived: false }).upstream).toBeUndefined();
  });
});
