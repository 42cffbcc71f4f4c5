import { describe, expect, it } from 'vitest';
import { deriveRoute } from '../../derive-route';

describe('kong rule', () => {
  it('ignores a Kong 3.9 template placeholder in the body model and takes the selected model', () => {
    const attribution = deriveRoute({ url: 'http://kong.internal/gemini', responseHeaders: { 'X-Kong-LLM-Model': 'gemini/gemini-2.0-flash' }, responseBody: { model: '$(uri_captures.model)' } });
    expect(attribution).toMatchObject({ upstream: 'gcp.gemini', responseModel: 'gemini-2.0-flash' });
  });

  it('names no provider for llama2, a wire format', () => {
    expect(deriveRoute({ url: 'http://kong.internal/llm', responseHeaders: { 'x-kong-llm-model': 'llama2/llama3' } }).upstream).toBeUndefined();
  });

  it("leaves Mistral's own API (x-kong-* beside mistral-correlation-id) to Mistral", () => {
    const headers = { 'x-kong-request-id': 'k', 'x-kong-upstream-latency': '10', 'mistral-correlation-id': 'm' };
    expect(deriveRoute({ url: 'https://api.mistral.ai/v1/chat/completions', responseHeaders: headers })).toMatchObject({ system: 'mistral_ai', upstream: 'mistral_ai' });
    expect(deriveRoute({ url: 'http://proxy.internal/v1', responseHeaders: headers }).system).toBe('mistral_ai');
  });
});
