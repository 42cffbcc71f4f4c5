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

// Field names from maximhq/bifrost core/schemas/bifrost.go (BifrostResponseExtraFields,
// BifrostError); values synthetic. No recording: `source:` tests (request 18).
describe('bifrost rule: body extra_fields when the headers are hidden (source: core/schemas/bifrost.go, synthetic values)', () => {
  const extraFields = { request_type: 'chat_completion', provider: 'bedrock', original_model_requested: 'claude-sonnet', resolved_model_used: 'us.anthropic.claude-sonnet-4-20250514-v1:0', latency: 812 };

  it('source: extra_fields names Bifrost, the provider and the model it used', () => {
    const attribution = deriveRoute({ url: BIFROST, responseBody: { id: 'chatcmpl-1', object: 'chat.completion', model: 'claude-sonnet', choices: [], extra_fields: extraFields }, status: 200 });
    expect(attribution).toMatchObject({ system: 'bifrost', gateway: 'bifrost', upstream: 'aws.bedrock', responseModel: 'us.anthropic.claude-sonnet-4-20250514-v1:0' });
    expect(attribution.path).toEqual(['bifrost', 'aws.bedrock', 'anthropic']);
    expect(attribution.evidence).toEqual(expect.arrayContaining(['body.extra_fields', 'body.extra_fields.provider']));
  });

  it('source: without request_type/latency an extra_fields block names nobody', () => {
    const attribution = deriveRoute({ url: BIFROST, responseBody: { id: 'chatcmpl-1', model: 'x', extra_fields: { provider: 'bedrock' } }, status: 200 });
    expect(attribution.system).not.toBe('bifrost');
    expect(attribution.upstream).toBeUndefined();
  });

  it('source: a semantic-cache hit has no upstream and no served model', () => {
    const attribution = deriveRoute({ url: BIFROST, responseBody: { id: 'chatcmpl-1', model: 'claude-sonnet', extra_fields: { ...extraFields, cache_debug: { cache_hit: true } } }, status: 200 });
    expect(attribution).toMatchObject({ system: 'bifrost', cacheHit: true });
    expect(attribution.upstream).toBeUndefined();
    expect(attribution.responseModel).toBeUndefined();
  });

  it("source: is_bifrost_error says who refused: true is Bifrost's own, false the provider's", () => {
    const own = deriveRoute({ url: BIFROST, responseBody: { is_bifrost_error: true, status_code: 429, error: { message: 'budget exceeded' }, extra_fields: { request_type: 'chat_completion', provider: 'openai', latency: 1 } }, status: 429 });
    expect(own).toMatchObject({ system: 'bifrost', errorSource: 'gateway' });
    expect(own.upstream).toBeUndefined();
    const relayed = deriveRoute({ url: BIFROST, responseBody: { is_bifrost_error: false, status_code: 529, error: { message: 'overloaded' }, extra_fields: { request_type: 'chat_completion', provider: 'anthropic', latency: 1 } }, status: 529 });
    expect(relayed).toMatchObject({ system: 'bifrost', errorSource: 'upstream', upstream: 'anthropic' });
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
