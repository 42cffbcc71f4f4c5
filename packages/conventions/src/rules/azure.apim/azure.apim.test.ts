import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveRoute } from '../../derive-route';
import { azureApim, deploymentOfPath } from './azure.apim';

// No recorded exchange through a customer's Azure API Management was found: the observations
// follow the APIM + Azure OpenAI docs (host shape, relayed backend headers, APIM refusals); the
// header values are synthetic.
const APIM = 'https://contoso-ai.azure-api.net/openai/deployments/gpt-4o-eastus/chat/completions?api-version=2024-10-21';

describe('azure.apim rule (docs-only: APIM docs, synthetic values)', () => {
  it('docs-only: Azure OpenAI behind APIM shows itself by its relayed headers', () => {
    const attribution = deriveRoute({
      url: APIM,
      responseHeaders: { 'x-ms-region': 'East US', 'apim-request-id': 'docs-example-apim-id' },
      responseBody: { id: 'chatcmpl-docs-example', model: 'gpt-4o-2024-11-20', choices: [] },
      status: 200,
    });
    expect(attribution.system).toBe('azure.apim');
    expect(attribution.gateway).toBe('azure.apim');
    expect(attribution.upstream).toBe('azure.ai.openai');
    expect(attribution.deployment).toBe('gpt-4o-eastus');
    expect(attribution.requestModel).toBe('gpt-4o-eastus');
  });

  it('docs-only: the deployment path shape alone names no upstream', () => {
    expect(deriveRoute({ url: APIM, responseBody: { id: 'x', model: 'gpt-4o', choices: [] }, status: 200 })).toEqual({
      system: 'azure.apim',
      gateway: 'azure.apim',
      requestModel: 'gpt-4o-eastus',
      responseModel: 'gpt-4o',
      deployment: 'gpt-4o-eastus',
      evidence: ['body.model', 'url'],
    });
  });

  it("docs-only: APIM's own 429 (token limit policy) is the gateway's refusal", () => {
    const attribution = deriveRoute({ url: APIM, responseHeaders: { 'retry-after': '5' }, status: 429 });
    expect(attribution.errorSource).toBe('gateway');
    expect(attribution.upstream).toBeUndefined();
  });

  it("docs-only: a relayed Azure OpenAI 429 is the upstream's refusal", () => {
    const attribution = deriveRoute({ url: APIM, responseHeaders: { 'x-ms-region': 'East US', 'retry-after': '5' }, status: 429 });
    expect(attribution.errorSource).toBe('upstream');
    expect(attribution.upstream).toBe('azure.ai.openai');
  });

  it('recognises APIM hosts only', () => {
    expect(azureApim.matchesHost?.('contoso.azure-api.net')).toBe(true);
    expect(azureApim.matchesHost?.('azure-api.net.evil.example')).toBe(false);
  });
});

describe('deploymentOfPath', () => {
  it('reads the deployment segment after /openai/deployments/', () => {
    expect(deploymentOfPath(['openai', 'deployments', 'gpt-4o%20eu', 'chat', 'completions'])).toBe('gpt-4o eu');
    // APIM publishes the API under any suffix.
    expect(deploymentOfPath(['aoai-prod', 'deployments', 'gpt-35-turbo', 'completions'])).toBe('gpt-35-turbo');
    expect(deploymentOfPath(['deployments', 'x'])).toBeUndefined();
    expect(deploymentOfPath(['openai', 'deployments', '%E0%A4%A', 'chat', 'completions'])).toBeUndefined();
  });

  it('never throws and stays bounded on hostile input', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom('openai', 'deployments', 'chat', 'completions', '%', '%25', '__proto__'), fc.string({ maxLength: 500 })), { maxLength: 8 }), (segments) => {
        const deployment = deploymentOfPath(segments);
        expect(deployment === undefined || (deployment.length > 0 && deployment.length <= 128)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });
});
