import { createAzure } from '@ai-sdk/azure';
import { generateText, streamText } from 'ai';
import OpenAI, { AzureOpenAI } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewaySim } from '../server';
import type { GatewaySim } from '../types';

let sim: GatewaySim;
beforeAll(async () => {
  sim = await startGatewaySim({ port: 0 });
});
afterAll(async () => {
  await sim.close();
});

describe('Azure OpenAI', () => {
  it('answers the classic deployments route with the versioned model in the body (AzureOpenAI client)', async () => {
    const client = new AzureOpenAI({ endpoint: sim.baseUrls.azure, apiKey: 'azure-key', apiVersion: '2024-12-01-preview', deployment: 'gpt-4o-eastus', maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-eastus', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(data.model).toBe('gpt-4o-2024-11-20');
    expect((data as unknown as { prompt_filter_results: unknown[] }).prompt_filter_results).toHaveLength(1);
    expect(response.headers.get('x-ms-region')).toBe('West Europe');
    expect(response.headers.get('apim-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('azureml-model-session')).toBeTruthy();
    expect(response.headers.get('openai-version')).toBe('2020-10-01');
    const request = sim.requests().at(-1)!;
    expect(request.path).toBe('/azure/openai/deployments/gpt-4o-eastus/chat/completions');
  });

  it('streams the deployments route with Azure’s empty first chunk', async () => {
    const client = new AzureOpenAI({ endpoint: sim.baseUrls.azure, apiKey: 'azure-key', apiVersion: '2024-12-01-preview', deployment: 'gpt-4o', maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const models: string[] = [];
    let text = '';
    for await (const chunk of stream) {
      models.push(chunk.model);
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(models[0]).toBe('');
    expect(models.at(-1)).toBe('gpt-4o-2024-11-20');
    expect(text).toBe('Hello from the gateway simulator.');
  });

  it('answers v1 responses with the deployment in the body and x-ms-served-model (@ai-sdk/azure)', async () => {
    const azure = createAzure({ baseURL: `${sim.baseUrls.azure}/openai/v1`, apiKey: 'azure-key' });
    const generated = await generateText({
      model: azure('gpt-5-nano'),
      prompt: 'hi',
      maxRetries: 0,
      headers: { 'x-sim-scenario': JSON.stringify({ region: 'East US 2' }) },
    });
    expect(generated.text).toBe('Hello from the gateway simulator.');
    expect(generated.response.modelId).toBe('gpt-5-nano');
    expect(generated.response.headers?.['x-ms-served-model']).toBe('gpt-5-nano-2025-08-07');
    expect(generated.response.headers?.['x-ms-region']).toBe('East US 2');
    expect(generated.response.headers?.['x-ratelimit-key']).toBe('gpt-5-nano');
    const streamed = streamText({ model: azure('gpt-5-nano'), prompt: 'hi', maxRetries: 0 });
    expect(await streamed.text).toBe('Hello from the gateway simulator.');
    expect((await streamed.response).headers?.['x-ms-served-model']).toBe('gpt-5-nano-2025-08-07');
  });

  it('answers v1 chat completions and deployment-based chat (@ai-sdk/azure)', async () => {
    const v1 = createAzure({ baseURL: `${sim.baseUrls.azure}/openai/v1`, apiKey: 'azure-key' });
    const chat = await generateText({ model: v1.chat('gpt-4o-mini'), prompt: 'hi', maxRetries: 0 });
    expect(chat.response.modelId).toBe('gpt-4o-mini-2024-07-18');
    expect(chat.response.headers?.['x-ms-served-model']).toBe('gpt-4o-mini-2024-07-18');
    const legacy = createAzure({ baseURL: `${sim.baseUrls.azure}/openai`, apiKey: 'azure-key', useDeploymentBasedUrls: true, apiVersion: '2024-12-01-preview' });
    const deployed = await generateText({ model: legacy.chat('gpt-4o-eastus'), prompt: 'hi', maxRetries: 0 });
    expect(deployed.response.modelId).toBe('gpt-4o-2024-11-20');
    expect(sim.requests().at(-1)!.path).toBe('/azure/openai/deployments/gpt-4o-eastus/chat/completions');
  });

  it('answers Foundry /models/chat/completions with a third-party model (openai SDK)', async () => {
    const client = new OpenAI({ baseURL: `${sim.baseUrls.azure}/models`, apiKey: 'azure-key', defaultQuery: { 'api-version': '2024-05-01-preview' }, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: 'grok-4-1-fast-non-reasoning', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(data.model).toBe('grok-4-1-fast-non-reasoning');
    expect(response.headers.get('azureai-processed-tier')).toBe('default');
    expect(response.headers.get('x-ms-served-model')).toBeNull();
    expect(sim.requests().at(-1)!.upstream).toBe('x_ai');
  });

  it('answers Azure errors: 429 with retry-after, unknown deployment, missing api-version', async () => {
    const client = new AzureOpenAI({ endpoint: sim.baseUrls.azure, apiKey: 'k', apiVersion: '2024-12-01-preview', deployment: 'gpt-4o', maxRetries: 0 });
    await expect(
      client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-sim-scenario': 'rate-limit' } }),
    ).rejects.toMatchObject({ status: 429 });
    const missing = new AzureOpenAI({ endpoint: sim.baseUrls.azure, apiKey: 'k', apiVersion: '2024-12-01-preview', deployment: 'unknown-deployment', maxRetries: 0 });
    await expect(missing.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({
      status: 404,
      code: 'DeploymentNotFound',
    });
    const noVersion = await fetch(`${sim.baseUrls.azure}/openai/deployments/gpt-4o/chat/completions`, { method: 'POST', body: '{}' });
    expect(noVersion.status).toBe(404);
  });
});
