import { describe, expect, it } from 'vitest';
import { deriveRoute } from '../../derive-route';

// No recorded Zuplo AI Gateway response was found: the observations follow its docs (Universal
// API on `{app}.zuplo.app/v1`, the `zp-rid` request id header); the values are synthetic.
describe('zuplo rule (docs-only: Zuplo docs, synthetic values)', () => {
  it('docs-only: the Universal API names the gateway and its request id, not the upstream', () => {
    expect(
      deriveRoute({
        url: 'https://my-ai-gateway.zuplo.app/v1/chat/completions',
        requestModel: 'gpt-4',
        responseHeaders: { 'zp-rid': 'docs-example-request-id' },
        responseBody: { id: 'chatcmpl-docs-example', model: 'gpt-4-0613', choices: [] },
        status: 200,
      }),
    ).toEqual({
      system: 'zuplo',
      gateway: 'zuplo',
      requestModel: 'gpt-4',
      responseModel: 'gpt-4-0613',
      requestId: 'docs-example-request-id',
      evidence: ['body.model', 'url'],
    });
  });

  it('docs-only: a provider fingerprint passed through names the upstream', () => {
    const attribution = deriveRoute({
      url: 'https://my-ai-gateway.zuplo.app/v1/chat/completions',
      responseHeaders: { 'zp-rid': 'docs-example-request-id', 'x-ms-region': 'West Europe' },
      responseBody: { id: 'chatcmpl-docs-example', model: 'gpt-4o-2024-11-20', choices: [] },
      status: 200,
    });
    expect(attribution.upstream).toBe('azure.ai.openai');
  });
});
