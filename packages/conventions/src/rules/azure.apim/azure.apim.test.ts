import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFixture, observationOf } from '../../__fixtures__/load-fixtures';
import { deriveRoute } from '../../derive-route';
import { azureApim, deploymentOfPath } from './azure.apim';

// Real recordings (saved outputs of Microsoft's AI-Gateway labs) are in `__fixtures__/` and are
// asserted whole by `fixtures.test.ts`; the tests below pin the facts they settle. APIM's own
// 401/429/403 refusals were not found recorded: those tests follow the APIM docs (synthetic values).
const APIM = 'https://contoso-ai.azure-api.net/openai/deployments/gpt-4o-eastus/chat/completions?api-version=2024-10-21';

describe('azure.apim rule on real recordings', () => {
  it('reads the relayed Azure backend: upstream, region and apim-request-id', () => {
    const attribution = deriveRoute(observationOf(loadFixture('azure.apim-backend-pool-gpt-4o-uk-south.json')));
    expect(attribution.upstream).toBe('azure.ai.openai');
    expect(attribution.region).toBe('uksouth');
    expect(attribution.requestId).toBe('297415b2-a9e8-4eb2-9ede-535e9ba5e8bd');
    expect(attribution.deployment).toBe('gpt-4o');
  });

  it("APIM's own content-safety refusal carries no backend header and names no upstream", () => {
    const fixture = loadFixture('azure.apim-content-safety-prompt-attack-400-gateway.json');
    expect(Object.keys(fixture.response.headers ?? {}).map((name) => name.toLowerCase())).not.toContain('apim-request-id');
    const attribution = deriveRoute(observationOf(fixture));
    expect(attribution.errorSource).toBe('gateway');
    expect(attribution.upstream).toBeUndefined();
    expect(attribution.requestId).toBeUndefined();
  });

  it('reads the deployment under a custom API suffix and never infers a backend-pool failover', () => {
    const attribution = deriveRoute(observationOf(loadFixture('azure.apim-inference-suffix-gpt-4o-mini-sweden-central-failover.json')));
    expect(attribution.deployment).toBe('gpt-4o-mini');
    expect(attribution.region).toBe('swedencentral');
    expect(attribution.fallback).toBeUndefined();
  });
});

describe('azure.apim rule (docs-only where no recording exists: APIM docs, synthetic values)', () => {
  it('Azure OpenAI behind APIM shows itself by its relayed headers (also backed by the real recordings above)', () => {
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
