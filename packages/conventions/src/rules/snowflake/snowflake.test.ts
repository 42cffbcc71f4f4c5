import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFixture, observationOf } from '../../__fixtures__/load-fixtures';
import { deriveRoute } from '../../derive-route';
import { cortexModelVendor, snowflake } from './snowflake';

// The OpenAI-compatible route has real recordings (pydantic-ai cassettes, `__fixtures__/`, asserted
// whole by fixtures.test.ts). `inference:complete` and Snowflake's own models were not found
// recorded: those tests follow the Cortex REST API documentation, with synthetic values.
const ACCOUNT = 'https://myorg-myaccount.snowflakecomputing.com';

describe('snowflake rule (docs-only: Cortex REST API reference, synthetic values)', () => {
  it('docs-only: inference:complete with a Claude model is Snowflake serving Anthropic', () => {
    expect(
      deriveRoute({
        url: `${ACCOUNT}/api/v2/cortex/inference:complete`,
        requestModel: 'claude-3-5-sonnet',
        responseBody: 'data: {"id":"docs-example-id","model":"claude-3-5-sonnet","choices":[{"delta":{"content":"Hi"}}]}\n\n',
        status: 200,
      }),
    ).toEqual({
      system: 'snowflake',
      gateway: 'snowflake',
      upstream: 'anthropic',
      path: ['snowflake', 'anthropic'],
      requestModel: 'claude-3-5-sonnet',
      responseModel: 'claude-3-5-sonnet',
      requestId: 'docs-example-id',
      evidence: ['body.model', 'url', 'model_id'],
    });
  });

  it('the OpenAI-compatible route with openai-gpt-4.1 is Snowflake serving OpenAI, although the body model is empty', () => {
    const fixture = loadFixture('snowflake-cortex-openai-compat-openai-gpt-4.1-empty-model.json');
    expect((fixture.response.body as { model?: unknown }).model).toBe('');
    const attribution = deriveRoute(observationOf(fixture));
    expect(attribution.gateway).toBe('snowflake');
    expect(attribution.upstream).toBe('openai');
    expect(attribution.responseModel).toBeUndefined();
  });

  it('a real Cortex stream (claude-sonnet-4-6, chunk ids empty) is Snowflake serving Anthropic, with no request id', () => {
    const attribution = deriveRoute(observationOf(loadFixture('snowflake-cortex-openai-compat-claude-stream.json')));
    expect(attribution.upstream).toBe('anthropic');
    expect(attribution.responseModel).toBe('claude-sonnet-4-6');
    expect(attribution.requestId).toBeUndefined();
  });

  it("docs-only: Snowflake's own model names no vendor, so the upstream stays unset", () => {
    const attribution = deriveRoute({
      url: `${ACCOUNT}/api/v2/cortex/inference:complete`,
      requestModel: 'snowflake-arctic',
      responseBody: { id: 'docs-example-id', model: 'snowflake-arctic' },
      status: 200,
    });
    expect(attribution.system).toBe('snowflake');
    expect(attribution.upstream).toBeUndefined();
  });

  it('a Cortex-shaped path on another host is not Snowflake', () => {
    const attribution = deriveRoute({ url: 'https://proxy.example.com/api/v2/cortex/inference:complete', requestModel: 'claude-3-5-sonnet', status: 200 });
    expect(attribution.system).not.toBe('snowflake');
    expect(attribution.upstream).toBeUndefined();
  });

  it('recognises account hosts only', () => {
    expect(snowflake.matchesHost?.('xy12345.us-east-1.snowflakecomputing.com')).toBe(true);
    expect(snowflake.matchesHost?.('snowflakecomputing.com.evil.example')).toBe(false);
  });
});

describe('cortexModelVendor', () => {
  it('names the vendor of documented Cortex model ids', () => {
    expect(cortexModelVendor('claude-3-5-sonnet')).toBe('anthropic');
    expect(cortexModelVendor('llama3.1-70b')).toBe('meta');
    expect(cortexModelVendor('mistral-large2')).toBe('mistral_ai');
    expect(cortexModelVendor('openai-gpt-4.1')).toBe('openai');
    expect(cortexModelVendor('deepseek-r1')).toBe('deepseek');
    expect(cortexModelVendor('snowflake-llama-3.3-70b')).toBe('meta');
    expect(cortexModelVendor('snowflake-arctic')).toBeUndefined();
    expect(cortexModelVendor('openai-claude-3-5-sonnet')).toBeUndefined();
  });

  it('never throws and names prototype words as no vendor, on hostile input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('constructor', '__proto__', 'openai-constructor', 'snowflake-__proto__')), (model) => {
        const vendor = cortexModelVendor(model);
        expect(vendor === undefined || (typeof vendor === 'string' && vendor.length > 0)).toBe(true);
        expect(vendor).not.toBe('constructor');
      }),
      { numRuns: 20_000 },
    );
  });
});
