import { describe, expect, it } from 'vitest';
import { deriveRoute } from '../../derive-route';

describe('azure rule', () => {
  it('recognises Azure from content-filter fields alone (OpenInference output.value)', () => {
    const attribution = deriveRoute({ responseBody: { id: 'chatcmpl-1', model: 'gpt-4o-2024-11-20', prompt_filter_results: [] } });
    expect(attribution).toMatchObject({ system: 'azure.ai.openai', gateway: 'azure.ai.openai', upstream: 'openai' });
  });

  it('serves Foundry /models routes as azure.ai.inference with the model vendor as upstream', () => {
    const attribution = deriveRoute({ url: 'https://res.services.ai.azure.com/models/chat/completions?api-version=2024-05-01-preview', requestModel: 'Meta-Llama-3.1-8B-Instruct', status: 200 });
    expect(attribution).toMatchObject({ system: 'azure.ai.inference', upstream: 'meta' });
  });
});
