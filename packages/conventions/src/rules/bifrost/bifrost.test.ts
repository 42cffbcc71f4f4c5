import { describe, expect, it } from 'vitest';
import { deriveRoute } from '../../derive-route';
import { bedrockRouteModel } from './bifrost';

// No recorded Bifrost response with a citable source was found. The `source:` tests use the header
// names and fill rules of Bifrost's own responseheaders.go and the values of its unit test
// responseheaders_test.go (maximhq/bifrost, synthetic there too); the `docs-only:` tests follow
// docs.getbifrost.ai/providers/response-headers with synthetic values.
const BIFROST = 'http://localhost:8080/v1/chat/completions';

describe('bifrost rule (docs-only: response-headers reference, synthetic values)', () => {
  it('docs-only: the routing headers name the provider and model that served', () => {
    expect(
      deriveRoute({
        url: BIFROST,
        requestModel: 'openai/gpt-4o-mini',
        responseHeaders: {
          'x-bifrost-request-id': 'docs-example-request-id',
          'x-bifrost-provider': 'vertex',
          'x-bifrost-original-model': 'openai/gpt-4o-mini',
          'x-bifrost-resolved-model': 'gemini-2.5-flash',
        },
        responseBody: { id: 'docs-example', model: 'gemini-2.5-flash', choices: [] },
        status: 200,
      }),
    ).toEqual({
      system: 'bifrost',
      gateway: 'bifrost',
      upstream: 'gcp.vertex_ai',
      path: ['bifrost', 'gcp.vertex_ai', 'google'],
      requestModel: 'openai/gpt-4o-mini',
      responseModel: 'gemini-2.5-flash',
      requestId: 'docs-example-request-id',
      evidence: ['header.x-bifrost-provider', 'header.x-bifrost-resolved-model', 'header.x-bifrost-request-id'],
    });
  });

  it('docs-only: a refusal before routing carries only the correlation headers: the gateway refused', () => {
    const attribution = deriveRoute({ url: BIFROST, responseHeaders: { 'x-bifrost-request-id': 'docs-example-request-id' }, status: 429 });
    expect(attribution.system).toBe('bifrost');
    expect(attribution.errorSource).toBe('gateway');
    expect(attribution.upstream).toBeUndefined();
  });

  it('docs-only: an upstream error keeps the provider of the attempt that failed', () => {
    const attribution = deriveRoute({ url: BIFROST, responseHeaders: { 'x-bifrost-request-id': 'r', 'x-bifrost-provider': 'anthropic' }, status: 529 });
    expect(attribution.errorSource).toBe('upstream');
    expect(attribution.upstream).toBe('anthropic');
  });

  it('a provider named like a prototype key is folded like any unknown name', () => {
    const attribution = deriveRoute({ url: BIFROST, responseHeaders: { 'x-bifrost-request-id': 'r', 'x-bifrost-provider': 'constructor' }, status: 200 });
    expect(attribution.upstream).toBe('constructor');
    expect(typeof attribution.upstream).toBe('string');
  });

  it('source: the routing-info set names the provider, the provider\'s own model id and the fallback', () => {
    // Values of TestApplyBifrostStreamResponseHeaders "fallback-layered snapshot" / "routing info emits full set".
    expect(
      deriveRoute({
        url: BIFROST,
        requestModel: 'claude-sonnet-4-6',
        responseHeaders: {
          'x-bifrost-request-id': 'gateway-req',
          'x-bifrost-routing-info-provider': 'bedrock',
          'x-bifrost-routing-info-model': 'claude-sonnet-4-6',
          'x-bifrost-routing-info-alias-model-id': 'us.anthropic.claude-sonnet-4-6',
          'x-bifrost-routing-info-is-fallback': 'true',
          'x-bifrost-routing-info-primary-provider': 'anthropic',
          'x-bifrost-fallback-index': '1',
          'x-bifrost-provider': 'bedrock',
          'x-bifrost-resolved-model': 'us.anthropic.claude-sonnet-4-6',
          'x-amzn-requestid': 'req-789',
        },
        status: 200,
      }),
    ).toMatchObject({
      gateway: 'bifrost',
      upstream: 'aws.bedrock',
      path: ['bifrost', 'aws.bedrock', 'anthropic'],
      responseModel: 'us.anthropic.claude-sonnet-4-6',
      requestId: 'gateway-req',
      fallback: true,
    });
  });

  it('source: the primary-provider fallback header is not the served provider, and a primary-route success is no fallback', () => {
    const served = deriveRoute({
      url: BIFROST,
      responseHeaders: { 'x-bifrost-request-id': 'r', 'x-bifrost-routing-info-provider': 'openai', 'x-bifrost-routing-info-model': 'gpt-5.6', 'x-bifrost-routing-info-key': 'openai-key' },
      status: 200,
    });
    expect(served.upstream).toBe('openai');
    expect(served.responseModel).toBe('gpt-5.6');
    expect(served.fallback).toBe(false);
  });

  it('source: x-bifrost-cost-usd is the cost Bifrost computed', () => {
    const attribution = deriveRoute({ url: BIFROST, responseHeaders: { 'x-bifrost-request-id': 'r', 'x-bifrost-routing-info-provider': 'openai', 'x-bifrost-cost-usd': '0.000152' }, status: 200 });
    expect(attribution.cost).toBe(0.000152);
  });

  it('docs-only: the Bedrock drop-in route names the vendor last in the path from its model id', () => {
    // Bifrost docs (integrations/bedrock-sdk): boto3 with endpoint_url http://localhost:8080/bedrock.
    const attribution = deriveRoute({
      url: 'http://localhost:8080/bedrock/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse',
      responseHeaders: { 'x-bifrost-request-id': 'r', 'x-bifrost-routing-info-provider': 'bedrock' },
      responseBody: { output: { message: { role: 'assistant', content: [{ text: 'hi' }] } }, stopReason: 'end_turn' },
      status: 200,
    });
    expect(attribution.gateway).toBe('bifrost');
    expect(attribution.upstream).toBe('aws.bedrock');
    expect(attribution.path).toEqual(['bifrost', 'aws.bedrock', 'anthropic']);
  });
});

describe('bedrockRouteModel', () => {
  it('reads the model id after /bedrock/model/, bounded and decoded', () => {
    expect(bedrockRouteModel(['bedrock', 'model', 'us.anthropic.claude-haiku-4-5-20251001-v1%3A0', 'converse'])).toBe('us.anthropic.claude-haiku-4-5-20251001-v1:0');
    expect(bedrockRouteModel(['model', 'x', 'converse'])).toBeUndefined();
    expect(bedrockRouteModel(['bedrock', 'model', '%E0%A4%A'])).toBeUndefined();
    expect(bedrockRouteModel(['bedrock', 'model', 'x'.repeat(1000)])).toBeUndefined();
  });
});
