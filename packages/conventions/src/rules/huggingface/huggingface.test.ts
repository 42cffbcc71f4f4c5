import { describe, expect, it } from 'vitest';
import { deriveRoute } from '../../derive-route';

describe('huggingface rule', () => {
  it('takes the :provider suffix, but not a routing policy suffix', () => {
    expect(deriveRoute({ url: 'https://router.huggingface.co/v1/chat/completions', requestModel: 'deepseek-ai/DeepSeek-R1:fireworks-ai', status: 200 }).upstream).toBe('fireworks');
    for (const policy of ['fastest', 'cheapest', 'preferred']) {
      expect(deriveRoute({ url: 'https://router.huggingface.co/v1/chat/completions', requestModel: `m:${policy}`, status: 200 }).upstream).toBeUndefined();
    }
  });

  it('prefers a fingerprint of the provider that answered over the suffix asked for', () => {
    const attribution = deriveRoute({ url: 'https://router.huggingface.co/v1/chat/completions', requestModel: 'm:together', responseBody: { model: 'm', x_groq: { id: 'req_1' } } });
    expect(attribution.upstream).toBe('groq');
  });
});
