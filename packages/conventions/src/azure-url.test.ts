import { describe, expect, it } from 'vitest';
import { parseAzureUrl } from './azure-url';
import type { AzureTarget } from './types';

const table: Array<[string, AzureTarget | undefined]> = [
  [
    'https://pydanticai7521574644.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-12-01-preview',
    { system: 'azure.ai.openai', route: 'deployments', resource: 'pydanticai7521574644', deployment: 'gpt-4o', operation: 'chat/completions', apiVersion: '2024-12-01-preview', host: 'pydanticai7521574644.openai.azure.com' },
  ],
  [
    'https://myres.cognitiveservices.azure.com/openai/deployments/gpt-4.1-mini/embeddings?api-version=2024-10-21',
    { system: 'azure.ai.openai', route: 'deployments', resource: 'myres', deployment: 'gpt-4.1-mini', operation: 'embeddings', apiVersion: '2024-10-21', host: 'myres.cognitiveservices.azure.com' },
  ],
  [
    'https://rubyllm.services.ai.azure.com/openai/v1/responses',
    { system: 'azure.ai.openai', route: 'v1', resource: 'rubyllm', operation: 'responses', host: 'rubyllm.services.ai.azure.com' },
  ],
  [
    'https://fantasy-playground-resource.openai.azure.com/openai/v1/chat/completions',
    { system: 'azure.ai.openai', route: 'v1', resource: 'fantasy-playground-resource', operation: 'chat/completions', host: 'fantasy-playground-resource.openai.azure.com' },
  ],
  [
    'https://rubyllm.services.ai.azure.com/models/chat/completions?api-version=2024-05-01-preview',
    { system: 'azure.ai.inference', route: 'models', resource: 'rubyllm', operation: 'chat/completions', apiVersion: '2024-05-01-preview', host: 'rubyllm.services.ai.azure.com' },
  ],
  [
    'https://my-endpoint.eastus2.models.ai.azure.com/chat/completions',
    { system: 'azure.ai.inference', route: 'models', resource: 'my-endpoint', operation: 'chat/completions', host: 'my-endpoint.eastus2.models.ai.azure.com' },
  ],
  [
    // A percent-encoded deployment, a port, and a key in the query string that must not come back.
    'https://res.openai.azure.com:443/openai/deployments/my%20deploy/chat/completions?api-version=2024-06-01&api-key=SECRET123',
    { system: 'azure.ai.openai', route: 'deployments', resource: 'res', deployment: 'my deploy', operation: 'chat/completions', apiVersion: '2024-06-01', host: 'res.openai.azure.com' },
  ],
  [
    // The deployments path behind API Management or a local simulator, on any host.
    'http://127.0.0.1:4010/azure/openai/deployments/gpt-4o-eastus/chat/completions?api-version=2024-10-21',
    { system: 'azure.ai.openai', route: 'deployments', deployment: 'gpt-4o-eastus', operation: 'chat/completions', apiVersion: '2024-10-21', host: '127.0.0.1' },
  ],
  [
    // A client's base URL: the family is known, the deployment comes per call.
    'https://res.openai.azure.com/openai',
    { system: 'azure.ai.openai', route: 'deployments', resource: 'res', host: 'res.openai.azure.com' },
  ],
  ['res.openai.azure.com/openai/deployments/d1/completions', { system: 'azure.ai.openai', route: 'deployments', resource: 'res', deployment: 'd1', operation: 'completions', host: 'res.openai.azure.com' }],
  ['https://api.openai.com/v1/chat/completions', undefined],
  ['http://127.0.0.1:4010/openai/v1/chat/completions', undefined],
  ['https://openrouter.ai/api/v1/chat/completions', undefined],
  ['not a url', undefined],
  ['', undefined],
];

describe('parseAzureUrl', () => {
  it.each(table)('%s', (url, expected) => {
    expect(parseAzureUrl(url)).toEqual(expected);
  });

  it('accepts URL objects', () => {
    expect(parseAzureUrl(new URL('https://res.openai.azure.com/openai/deployments/x/chat/completions'))).toMatchObject({
      deployment: 'x',
    });
  });

  it('never returns a query-string secret, whatever the parameter', () => {
    const target = parseAzureUrl(
      'https://res.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-06-01&api-key=SECRET&sig=SECRET&token=SECRET',
    );
    expect(JSON.stringify(target)).not.toContain('SECRET');
    const injected = parseAzureUrl('https://res.openai.azure.com/openai/deployments/d/chat?api-version=SECRET%26key%3Dx%20y');
    expect(JSON.stringify(injected)).not.toContain('SECRET&');
    expect(injected?.apiVersion).toBeUndefined();
  });

  it('never throws', () => {
    for (const value of [null, undefined, 42, {}, 'https://%', 'http://[::1', '::::']) {
      expect(() => parseAzureUrl(value as string)).not.toThrow();
    }
  });

  it('answers a repeated URL with an equal, independent target', () => {
    const url = 'https://res.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-12-01-preview';
    const first = parseAzureUrl(url)!;
    first.deployment = 'changed by the caller';
    const second = parseAzureUrl(url);
    expect(second).toMatchObject({ deployment: 'gpt-4o', apiVersion: '2024-12-01-preview' });
    expect(second).not.toBe(first);
    expect(parseAzureUrl(`${url}&api-key=SECRET`)).toEqual(second);
    expect(parseAzureUrl(new URL(url))).toEqual(second);
  });
});
