import { describe, expect, it } from 'vitest';
import { deriveRoute } from '../../derive-route';

// No recorded TrueFoundry AI Gateway response was found: the observations follow its docs (SaaS
// host, `{provider_account}/{model}` ids); the values are synthetic.
const GATEWAY = 'https://gateway.truefoundry.ai/chat/completions';

describe('truefoundry rule (docs-only: TrueFoundry docs, synthetic values)', () => {
  it('docs-only: the provider-account prefix of the model id never names the upstream', () => {
    expect(
      deriveRoute({
        url: GATEWAY,
        requestModel: 'openai-main/gpt-4o-mini',
        responseBody: { id: 'chatcmpl-docs-example', model: 'gpt-4o-mini-2024-07-18', choices: [] },
        status: 200,
      }),
    ).toEqual({
      system: 'truefoundry',
      gateway: 'truefoundry',
      requestModel: 'openai-main/gpt-4o-mini',
      responseModel: 'gpt-4o-mini-2024-07-18',
      evidence: ['body.model', 'url'],
    });
  });

  it('docs-only: a fingerprint unique to the provider, passed through, names it', () => {
    const attribution = deriveRoute({
      url: GATEWAY,
      requestModel: 'groq-main/llama-3.3-70b-versatile',
      responseBody: { id: 'chatcmpl-docs-example', model: 'llama-3.3-70b-versatile', x_groq: { id: 'req_docs_example' }, choices: [] },
      status: 200,
    });
    expect(attribution.gateway).toBe('truefoundry');
    expect(attribution.upstream).toBe('groq');
  });

  it('client-code: x-tfy-resolved-model recognises a self-hosted gateway and names the deployment, not the provider', () => {
    // Header name from TrueFoundry's response as public clients read it; the value is synthetic.
    const attribution = deriveRoute({
      url: 'https://llm-gateway.internal.example/api/llm/chat/completions',
      requestModel: 'prod/resilient-chat',
      responseHeaders: { 'x-tfy-resolved-model': 'bedrock-main/claude-sonnet' },
      responseBody: { id: 'chatcmpl-docs-example', model: 'claude-sonnet', choices: [] },
      status: 200,
    });
    expect(attribution.system).toBe('truefoundry');
    expect(attribution.gateway).toBe('truefoundry');
    expect(attribution.deployment).toBe('bedrock-main/claude-sonnet');
    expect(attribution.upstream).toBeUndefined();
  });
});
