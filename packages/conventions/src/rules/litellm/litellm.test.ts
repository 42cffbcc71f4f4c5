import { describe, expect, it } from 'vitest';
import { deriveRoute } from '../../derive-route';
import relayedRateLimit from '../../../../gateway-sim/src/__fixtures__/litellm-relayed-upstream-rate-limit.json';

const URL = 'http://localhost:4000/v1/chat/completions';

describe('litellm rule', () => {
  it('reads the cost header, the deployment, the call id and the served model without its prefix', () => {
    const attribution = deriveRoute({
      url: URL,
      responseHeaders: { 'x-litellm-call-id': 'c1', 'x-litellm-model-id': 'd1', 'x-litellm-model-name': 'together_ai/meta-llama/Llama-3-70b', 'x-litellm-response-cost': '2.85e-05' },
      responseBody: { model: 'alias' },
    });
    expect(attribution).toMatchObject({ upstream: 'together', responseModel: 'meta-llama/Llama-3-70b', deployment: 'd1', requestId: 'c1', cost: 0.0000285 });
  });

  it("treats LiteLLM's own budget refusal as the gateway's", () => {
    const attribution = deriveRoute({
      url: URL,
      status: 429,
      responseHeaders: { 'x-litellm-call-id': 'c2' },
      responseBody: { error: { message: 'Budget has been exceeded! Key=… Max budget: 2.5', type: 'budget_exceeded', param: null, code: '429' } },
    });
    expect(attribution).toMatchObject({ gateway: 'litellm', errorSource: 'gateway' });
    expect(attribution.upstream).toBeUndefined();
  });

  it("docs-only: a provider's 429 the proxy relays (throttling_error, <Provider>Exception) is the upstream's, not LiteLLM's", () => {
    // docs.litellm.ai/docs/proxy/error_reference example body (gateway-sim fixture); headers as gateway-sim's LiteLLM sends them.
    const attribution = deriveRoute({
      url: relayedRateLimit.request.url,
      status: relayedRateLimit.response.status,
      responseHeaders: { 'x-litellm-call-id': 'c3', 'x-litellm-response-cost': '0' },
      responseBody: relayedRateLimit.response.body,
    });
    expect(attribution).toMatchObject({ gateway: 'litellm', errorSource: 'upstream' });
  });

  it("LiteLLM's own key rate limit (429 with retry-after / rate_limit_type, type \"None\") is the gateway's", () => {
    // Shape from litellm/proxy/hooks/parallel_request_limiter_v3.py as gateway-sim reproduces it.
    const attribution = deriveRoute({
      url: URL,
      status: 429,
      responseHeaders: { 'x-litellm-call-id': 'c4', 'retry-after': '60', rate_limit_type: 'requests', reset_at: '2026-12-06 10:51:00' },
      responseBody: { error: { message: 'Rate limit exceeded for api_key: 3f2a. Limit type: requests. Current limit: 10, Remaining: 0.', type: 'None', param: 'None', code: '429' } },
    });
    expect(attribution).toMatchObject({ gateway: 'litellm', errorSource: 'gateway' });
    expect(attribution.upstream).toBeUndefined();
  });

  it('keeps an unknown api-base host from naming anyone behind an OpenAI-compatible prefix', () => {
    const attribution = deriveRoute({ url: URL, responseHeaders: { 'x-litellm-call-id': 'c', 'x-litellm-model-name': 'openai/m', 'x-litellm-model-api-base': 'http://10.0.0.3:8000/v1' } });
    expect(attribution.upstream).toBeUndefined();
  });

  it("takes the body's model only after a fallback (LiteLLM re-stamps it with the alias otherwise)", () => {
    const headers = { 'x-litellm-call-id': 'c', 'x-litellm-attempted-fallbacks': '1' };
    expect(deriveRoute({ url: URL, responseHeaders: headers, responseBody: { model: 'gpt-4o-mini-2024-07-18' } })).toMatchObject({ responseModel: 'gpt-4o-mini-2024-07-18', fallback: true });
    expect(deriveRoute({ url: URL, responseHeaders: { 'x-litellm-call-id': 'c' }, responseBody: { model: 'alias' } }).responseModel).toBeUndefined();
  });
});

describe('litellm: OpenAI-compatible prefixes and streams after a fallback', () => {
  it('names OpenAI for an openai/ prefix only with OpenAI evidence (api-base host or its passed-through headers)', () => {
    const headers = { 'x-litellm-call-id': 'c', 'x-litellm-model-name': 'openai/my-vllm-model' };
    expect(deriveRoute({ url: URL, responseHeaders: headers }).upstream).toBeUndefined();
    expect(deriveRoute({ url: URL, responseHeaders: { ...headers, 'llm_provider-openai-organization': 'org' } }).upstream).toBe('openai');
  });

  it('never takes a stream chunk model as served after a fallback (chunks carry the requested group)', () => {
    const attribution = deriveRoute({
      url: URL,
      responseHeaders: { 'x-litellm-call-id': 'c', 'x-litellm-attempted-fallbacks': '1' },
      responseBody: 'data: {"id":"c1","model":"primary-group","choices":[]}\n\n',
    });
    expect(attribution.fallback).toBe(true);
    expect(attribution.responseModel).toBeUndefined();
  });
});

describe('litellm pass-through routes (docs-only: docs.litellm.ai pass-through endpoints; no recording)', () => {
  it('docs-only: /bedrock/model/{id}/converse on a recognised LiteLLM goes to Bedrock, the vendor from the path', () => {
    const attribution = deriveRoute({
      url: 'http://localhost:4000/bedrock/model/us.anthropic.claude-3-5-sonnet-20240620-v1:0/converse',
      responseHeaders: { 'x-litellm-call-id': 'c' },
    });
    expect(attribution).toMatchObject({ gateway: 'litellm', upstream: 'aws.bedrock', path: ['litellm', 'aws.bedrock', 'anthropic'], regionScope: 'us' });
  });
});
