import { createAzure } from '@ai-sdk/azure';
import { createOpenAI } from '@ai-sdk/openai';
import { embed, embedMany } from 'ai';
import OpenAI, { AzureOpenAI } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewaySim } from './server';
import type { GatewaySim } from './types';

let sim: GatewaySim;
beforeAll(async () => {
  sim = await startGatewaySim({ port: 0 });
});
afterAll(async () => {
  await sim.close();
});

describe('embeddings', () => {
  it('answers OpenAI direct embeddings (openai SDK, @ai-sdk/openai)', async () => {
    const client = new OpenAI({ apiKey: 'sk', baseURL: sim.baseUrls.openai, maxRetries: 0 });
    const { data, response } = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] }).withResponse();
    expect(data.data).toHaveLength(2);
    expect(data.data[0]!.embedding).toHaveLength(8);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    const openai = createOpenAI({ apiKey: 'sk', baseURL: sim.baseUrls.openai });
    const result = await embedMany({ model: openai.embedding('text-embedding-3-small'), values: ['x', 'y', 'z'], maxRetries: 0 });
    expect(result.embeddings).toHaveLength(3);
  });

  it('answers LiteLLM embeddings with the x-litellm-* route headers', async () => {
    const client = new OpenAI({ apiKey: 'sk', baseURL: sim.baseUrls.litellm, maxRetries: 0 });
    const { data, response } = await client.embeddings
      .create({ model: 'embed-small', input: 'hello' }, { headers: { 'x-sim-upstream': 'bedrock', 'x-sim-scenario': '{"servedModel":"amazon.titan-embed-text-v2:0"}' } })
      .withResponse();
    expect(data.model).toBe('embed-small');
    expect(response.headers.get('x-litellm-model-name')).toBe('bedrock/amazon.titan-embed-text-v2:0');
  });

  it('answers Azure embeddings on the deployments and v1 routes (AzureOpenAI, @ai-sdk/azure)', async () => {
    const client = new AzureOpenAI({ endpoint: sim.baseUrls.azure, apiKey: 'k', apiVersion: '2024-12-01-preview', deployment: 'embeddings-eastus', maxRetries: 0 });
    const { data, response } = await client.embeddings.create({ model: 'embeddings-eastus', input: 'hi' }).withResponse();
    expect(data.model).toBe('text-embedding-3-small');
    expect(response.headers.get('x-ms-region')).toBe('West Europe');
    const azure = createAzure({ baseURL: `${sim.baseUrls.azure}/openai/v1`, apiKey: 'k' });
    const result = await embed({ model: azure.embedding('text-embedding-3-large'), value: 'hi', maxRetries: 0 });
    expect(result.embedding.length).toBeGreaterThan(0);
    expect(sim.requests().at(-1)!.path).toBe('/azure/openai/v1/embeddings');
  });
});
