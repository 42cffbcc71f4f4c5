import { describe, expect, it } from 'vitest';
import { deriveRoute } from '../../derive-route';

describe('azure rule', () => {
  it('recognises Azure from content-filter fields alone (OpenInference output.value)', () => {
    const attribution = deriveRoute({ responseBody: { id: 'chatcmpl-1', model: 'gpt-4o-2024-11-20', prompt_filter_results: [] } });
    expect(attribution).toMatchObject({ system: 'azure.ai.openai', gateway: 'azure.ai.openai', upstream: 'openai' });
  });

  it('serves Foundry /models routes as azure.ai.inference; the vendor comes from the served model, never the deployment name alone', () => {
    const url = 'https://res.services.ai.azure.com/models/chat/completions?api-version=2024-05-01-preview';
    // The request's `model` is a deployment name the user chose: it names no vendor on its own (§2.7).
    const requestOnly = deriveRoute({ url, requestModel: 'Meta-Llama-3.1-8B-Instruct', status: 200 });
    expect(requestOnly).toMatchObject({ system: 'azure.ai.inference', gateway: 'azure.ai.inference' });
    expect(requestOnly.upstream).toBeUndefined();
    const served = deriveRoute({ url, requestModel: 'my-llama', status: 200, responseBody: { id: 'x', object: 'chat.completion', model: 'Meta-Llama-3.1-8B-Instruct' } });
    expect(served).toMatchObject({ system: 'azure.ai.inference', upstream: 'meta', responseModel: 'Meta-Llama-3.1-8B-Instruct' });
  });

  it('a deployment name that looks like a model does not decide the vendor of a headers-only stream (request 4)', () => {
    // gateway-sim's Azure target headers on a stream whose body the capture did not keep.
    const headers = { 'x-ms-region': 'West Europe', 'apim-request-id': '6d1f3c2a-0b4e-4c1e-9a55-0f2b9a7c1d11' };
    const url = 'https://res.openai.azure.com/openai/deployments/gpt-4o-eastus/chat/completions?api-version=2024-10-21';
    const withoutModel = deriveRoute({ url, requestModel: 'gpt-4o-eastus', status: 200, responseHeaders: headers });
    expect(withoutModel).toMatchObject({ system: 'azure.ai.openai', gateway: 'azure.ai.openai', deployment: 'gpt-4o-eastus', region: 'westeurope' });
    expect(withoutModel.upstream).toBeUndefined();
    const confirmed = deriveRoute({ url, requestModel: 'gpt-4o-eastus', status: 200, responseHeaders: { ...headers, 'x-ms-served-model': 'gpt-4o-2024-11-20' } });
    expect(confirmed).toMatchObject({ upstream: 'openai', responseModel: 'gpt-4o-2024-11-20' });
    expect(confirmed.evidence).toContain('header.x-ms-served-model');
  });
});
