import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFixture, observationOf } from '../../__fixtures__/load-fixtures';
import { deriveRoute } from '../../derive-route';
import { cloudOfMessageId, databricks, foundationVendor, servingEndpoint } from './databricks';

// One real request/response pair (Azure Databricks databricks-claude-3-7-sonnet served by Amazon
// Bedrock, `__fixtures__/`, asserted whole by fixtures.test.ts). The `docs-only:` tests follow the
// Model Serving docs (endpoint URL shapes, `databricks-*` foundation endpoint names), synthetic values.
describe('databricks rule on a real recording', () => {
  it('a Claude endpoint answered with Bedrock\'s own message id is Bedrock serving, Anthropic last in the path', () => {
    const attribution = deriveRoute(observationOf(loadFixture('databricks-fmapi-claude-3-7-sonnet-served-by-bedrock.json')));
    expect(attribution.upstream).toBe('aws.bedrock');
    expect(attribution.path).toEqual(['databricks', 'aws.bedrock', 'anthropic']);
    expect(attribution.regionScope).toBe('us');
    expect(attribution.deployment).toBe('databricks-claude-3-7-sonnet');
  });

  it('Bedrock\'s relayed headers alone name Bedrock when the body carries no message id', () => {
    const fixture = loadFixture('databricks-fmapi-claude-bedrock-headers-json.json');
    const { id: _id, ...bodyWithoutId } = fixture.response.body as Record<string, unknown>;
    const attribution = deriveRoute({ ...observationOf(fixture), responseBody: bodyWithoutId });
    expect(attribution.upstream).toBe('aws.bedrock');
    expect(attribution.evidence).toContain('header.x-amzn-bedrock-invocation-latency');
    expect(attribution.requestId).toBe('ce20e1b0-5843-4bc0-b0d6-b7a796f29a0a');
  });

  it('reads only the clouds whose message ids are unique to them', () => {
    expect(cloudOfMessageId('msg_bdrk_01LYsYW3RFFdEPVAUedC8u9Z')).toBe('aws.bedrock');
    expect(cloudOfMessageId('msg_vrtx_01abc')).toBe('gcp.vertex_ai');
    expect(cloudOfMessageId('msg_01abc')).toBeUndefined();
    expect(cloudOfMessageId('chatcmpl-x')).toBeUndefined();
    expect(cloudOfMessageId(42)).toBeUndefined();
    expect(cloudOfMessageId(`msg_bdrk_${'x'.repeat(300)}`)).toBeUndefined();
  });
});

const WORKSPACE = 'https://dbc-docs-example.cloud.databricks.com';

describe('databricks rule (docs-only: Model Serving docs, synthetic values)', () => {
  it('a Claude foundation endpoint without a serving cloud\'s fingerprint names no upstream (real traffic: Bedrock served it, though the docs say "hosted by Databricks")', () => {
    const fixture = loadFixture('databricks-fmapi-claude-bedrock-headers-json.json');
    // The real answer without what Bedrock left on it: its message id and relayed x-amzn-* headers.
    const { id: _id, ...bodyWithoutId } = fixture.response.body as Record<string, unknown>;
    const headers = Object.fromEntries(Object.entries(fixture.response.headers as Record<string, string>).filter(([name]) => !name.toLowerCase().startsWith('x-amzn')));
    const attribution = deriveRoute({ ...observationOf(fixture), responseHeaders: headers, responseBody: bodyWithoutId });
    expect(attribution).toMatchObject({ system: 'databricks', gateway: 'databricks', deployment: 'databricks-claude-3-7-sonnet' });
    expect(attribution.upstream).toBeUndefined();
  });

  it('docs-only: a pay-per-token foundation endpoint of a model Databricks hosts names the model vendor', () => {
    expect(
      deriveRoute({
        url: `${WORKSPACE}/serving-endpoints/databricks-meta-llama-3-3-70b-instruct/invocations`,
        responseBody: { id: 'docs-example-id', object: 'chat.completion', model: 'meta-llama-3.3-70b-instruct', choices: [] },
        status: 200,
      }),
    ).toEqual({
      system: 'databricks',
      gateway: 'databricks',
      upstream: 'meta',
      path: ['databricks', 'meta'],
      responseModel: 'meta-llama-3.3-70b-instruct',
      deployment: 'databricks-meta-llama-3-3-70b-instruct',
      evidence: ['body.model', 'url'],
    });
  });

  it('the OpenAI-compatible route takes the endpoint from the request model (route backed by the real recording; this Llama answer is docs-only)', () => {
    const attribution = deriveRoute({
      url: `${WORKSPACE}/serving-endpoints/chat/completions`,
      requestModel: 'databricks-meta-llama-3-3-70b-instruct',
      responseBody: { id: 'docs-example-id', model: 'meta-llama-3.3-70b-instruct', choices: [] },
      status: 200,
    });
    expect(attribution.upstream).toBe('meta');
    expect(attribution.deployment).toBe('databricks-meta-llama-3-3-70b-instruct');
  });

  it("docs-only: a customer's own endpoint name decides nothing", () => {
    const attribution = deriveRoute({
      url: `${WORKSPACE}/serving-endpoints/my-gpt-4o-endpoint/invocations`,
      responseBody: { id: 'docs-example-id', model: 'gpt-4o-2024-08-06', choices: [] },
      status: 200,
    });
    expect(attribution.gateway).toBe('databricks');
    expect(attribution.deployment).toBe('my-gpt-4o-endpoint');
    expect(attribution.upstream).toBeUndefined();
  });

  it('recognises the three workspace host families only', () => {
    expect(databricks.matchesHost?.('dbc-1234.cloud.databricks.com')).toBe(true);
    expect(databricks.matchesHost?.('adb-1234567890.12.azuredatabricks.net')).toBe(true);
    expect(databricks.matchesHost?.('1234.5.gcp.databricks.com')).toBe(true);
    expect(databricks.matchesHost?.('databricks.com.evil.example')).toBe(false);
  });
});

describe('servingEndpoint and foundationVendor', () => {
  it('read the documented shapes', () => {
    expect(servingEndpoint(['serving-endpoints', 'databricks-gpt-oss-20b', 'invocations'], undefined)).toBe('databricks-gpt-oss-20b');
    expect(servingEndpoint(['serving-endpoints', 'chat', 'completions'], 'databricks-gpt-oss-20b')).toBe('databricks-gpt-oss-20b');
    expect(servingEndpoint(['api', '2.0', 'serving-endpoints'], undefined)).toBeUndefined();
    expect(foundationVendor('databricks-gpt-oss-20b')).toBe('openai');
    expect(foundationVendor('databricks-constructor')).toBeUndefined();
    expect(foundationVendor('my-endpoint')).toBeUndefined();
  });

  it('never throw and stay bounded on hostile input', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom('serving-endpoints', 'chat', 'invocations', '__proto__'), fc.string({ maxLength: 300 })), { maxLength: 8 }), fc.option(fc.string({ maxLength: 300 }), { nil: undefined }), (segments, model) => {
        const endpoint = servingEndpoint(segments, model);
        expect(endpoint === undefined || endpoint.length <= 128).toBe(true);
        const vendor = foundationVendor(endpoint);
        expect(vendor === undefined || typeof vendor === 'string').toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });
});
