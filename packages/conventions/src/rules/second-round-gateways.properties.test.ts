import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveRoute } from '../derive-route';

// Hostile input on the hosts and headers of the second-round gateway rules (pydantic,
// truefoundry, bifrost, zuplo, fastly, azure.apim, snowflake, databricks): deriveRoute never
// throws, every attribute is a bounded string, number, boolean or array of strings, and no
// upstream comes from a path shape or a model-name prefix alone.
const HOSTS = [
  'gateway-us.pydantic.dev',
  'gateway.truefoundry.ai',
  'my-ai-gateway.zuplo.app',
  'ai.fastly.app',
  'contoso.azure-api.net',
  'acct.snowflakecomputing.com',
  'dbc-1.cloud.databricks.com',
  'localhost:8080',
];
const SEGMENTS = [
  'proxy', 'bedrock', 'model', 'converse', 'anthropic', 'openai', 'deployments', 'serving-endpoints', 'databricks-constructor',
  'api', 'v2', 'cortex', 'inference:complete', 'v1', 'chat', 'completions', 'compat', 'api.openai.com', 'constructor',
  '__proto__', '%E0%A4%A', '%2F', '..',
];
const HEADER_NAMES = [
  'pydantic-ai-gateway-price-estimate', 'x-bifrost-provider', 'x-bifrost-resolved-model', 'x-bifrost-request-id', 'zp-rid', 'x-cache',
  'x-ms-region', 'retry-after',
];
const MAX_VALUE = 512;

function isBoundedValue(value: unknown): boolean {
  if (typeof value === 'string') return value.length <= MAX_VALUE;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value === 'boolean') return true;
  return Array.isArray(value) && value.every((item) => typeof item === 'string' && item.length <= MAX_VALUE);
}

describe('second-round gateway rules on hostile input', () => {
  it('never throw and keep every attribute bounded and typed', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...HOSTS),
        fc.array(fc.oneof(fc.constantFrom(...SEGMENTS), fc.string({ maxLength: 40 })), { maxLength: 8 }),
        fc.dictionary(fc.constantFrom(...HEADER_NAMES), fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('HIT', 'MISS', 'constructor', '0.0000USD', '1e999USD'))),
        fc.option(fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('databricks-claude-sonnet-4', 'openai-gpt-4.1', 'constructor/x')), { nil: undefined }),
        fc.option(fc.integer({ min: 100, max: 599 }), { nil: undefined }),
        (host, segments, headers, requestModel, status) => {
          const url = `https://${host}/${segments.map((segment) => segment.replace(/[/?#]/g, '')).join('/')}`;
          const attribution = deriveRoute({
            url,
            responseHeaders: headers,
            ...(requestModel !== undefined ? { requestModel } : {}),
            ...(status !== undefined ? { status } : {}),
          });
          for (const value of Object.values(attribution)) expect(isBoundedValue(value)).toBe(true);
          expect(Array.isArray(attribution.evidence)).toBe(true);
          // Without a served-by header, a response fingerprint or a documented route, no upstream is named:
          // here the only deciding inputs are the Bifrost provider header and the documented routes.
          if (attribution.upstream !== undefined && !('x-bifrost-provider' in headers) && !('x-ms-region' in headers)) {
            expect(attribution.evidence.some((name) => name === 'url' || name === 'model_id')).toBe(true);
          }
        },
      ),
      { numRuns: 20_000 },
    );
  });
});
