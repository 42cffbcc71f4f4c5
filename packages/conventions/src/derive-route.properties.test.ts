import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixtureFiles, loadFixture, observationOf } from './__fixtures__/load-fixtures';
import { parseAzureUrl } from './azure-url';
import { parseBedrockModelId } from './bedrock-model-id';
import { readBodyFacts } from './body';
import { deriveRoute, MAX_ROUTE_VALUE_LENGTH } from './derive-route';
import { createHeaderLookup } from './headers';
import { modelVendor, normalizeProvider } from './providers';
import { routeAttributes } from './route-attributes';
import type { RouteAttribution, RouteObservation } from './types';

const RUNS = 150;
const MIB = 1 << 20;

function expectBounded(attribution: RouteAttribution): void {
  expect(typeof attribution.system).toBe('string');
  expect(Array.isArray(attribution.evidence)).toBe(true);
  const attributes = routeAttributes(attribution);
  for (const value of Object.values(attributes)) {
    const values = Array.isArray(value) ? value : [value];
    expect(values.length).toBeLessThanOrEqual(16);
    for (const item of values) {
      if (typeof item === 'string') expect(item.length).toBeLessThanOrEqual(MAX_ROUTE_VALUE_LENGTH);
    }
  }
}

const fixtures = fixtureFiles().map((file) => observationOf(loadFixture(file)));

// Strings that look like what the rules parse, so the search reaches deep branches.
const signalString = fc.oneof(
  fc.string(),
  fc.constantFrom(
    'gen-123',
    'gen_01ABC',
    'Amazon Bedrock',
    'azure/gpt-4o',
    'bedrock/us.anthropic.claude-3-5-sonnet-20240620-v1:0',
    'openrouter/anthropic/claude',
    'us.anthropic.claude-haiku-4-5-20251001-v1:0',
    'arn:aws:bedrock:us-east-1:1:inference-profile/us.meta.llama3-8b-instruct-v1:0',
    'West Europe',
    'msg_bdrk_01',
    '',
  ),
);
const headerName = fc.oneof(
  fc.string(),
  fc.constantFrom(
    'x-generation-id',
    'x-litellm-model-name',
    'x-litellm-model-api-base',
    'x-litellm-attempted-fallbacks',
    'llm_provider-x-amzn-requestid',
    'x-ms-served-model',
    'x-ms-region',
    'x-portkey-provider',
    'x-kong-llm-model',
    'x-provider-name',
    'apim-request-id',
    'helicone-fallback-index',
  ),
);
const headers = fc.oneof(
  fc.dictionary(headerName, fc.oneof(signalString, fc.array(signalString), fc.integer(), fc.constant(undefined))),
  fc.array(fc.tuple(headerName, signalString)),
  fc.anything(),
);
const body = fc.oneof(
  fc.anything(),
  fc.json(),
  fc.string(),
  fc.uint8Array(),
  fc.record({ id: signalString, model: signalString, provider: signalString, x_groq: fc.anything(), choices: fc.anything() }, { requiredKeys: [] }),
  fc.array(fc.oneof(fc.constant(':'), fc.constant('data: '), fc.constant('\n\n'), fc.constant('{"provider":"'), signalString)).map((parts) => parts.join('')),
);
const observation: fc.Arbitrary<RouteObservation> = fc.record(
  {
    url: fc.oneof(fc.webUrl({ withQueryParameters: true }), fc.string(), signalString),
    requestModel: signalString,
    responseHeaders: headers as fc.Arbitrary<RouteObservation['responseHeaders']>,
    responseBody: body,
    providerMetadata: fc.oneof(fc.anything(), fc.record({ openrouter: fc.record({ provider: signalString }), gateway: fc.anything(), bedrock: fc.anything() }, { requiredKeys: [] })) as fc.Arbitrary<Record<string, unknown>>,
    region: signalString,
    providerHint: signalString,
    status: fc.oneof(fc.integer(), fc.double()),
  },
  { requiredKeys: [] },
);

describe('deriveRoute never throws and stays bounded', () => {
  it('on arbitrary observations', () => {
    fc.assert(
      fc.property(observation, (input) => {
        expectBounded(deriveRoute(input));
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('on anything at all in place of an observation', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        expectBounded(deriveRoute(input as RouteObservation));
      }),
      { numRuns: RUNS },
    );
  });

  it('on every fixture with one field replaced by junk', () => {
    const field = fc.constantFrom<keyof RouteObservation>('url', 'requestModel', 'responseHeaders', 'responseBody', 'providerMetadata', 'status');
    fc.assert(
      fc.property(fc.constantFrom(...fixtures), field, fc.anything(), (fixture, key, junk) => {
        expectBounded(deriveRoute({ ...fixture, [key]: junk }));
      }),
      { numRuns: RUNS },
    );
  });

  it('on 1 MiB header values', () => {
    const huge = `gen-${'a'.repeat(MIB)}`;
    for (const name of ['x-generation-id', 'x-litellm-model-name', 'x-ms-served-model', 'x-provider-name', 'x-kong-llm-model', 'x-ms-region']) {
      expectBounded(deriveRoute({ url: 'https://openrouter.ai/api/v1/chat/completions', responseHeaders: { [name]: huge } }));
      expectBounded(deriveRoute({ url: 'http://127.0.0.1/v1', responseHeaders: new Headers({ [name]: huge }) }));
    }
    expectBounded(deriveRoute({ url: `https://openrouter.ai/${'p'.repeat(MIB)}`, requestModel: 'm'.repeat(MIB), region: 'r'.repeat(MIB) }));
  });

  it('on invalid UTF-8 and binary bodies', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        expectBounded(deriveRoute({ url: 'https://openrouter.ai/api/v1/chat/completions', responseBody: Buffer.from(bytes) }));
      }),
      { numRuns: RUNS },
    );
    const invalid = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x90, 0x28, 0xbc]);
    const withRoute = Buffer.concat([Buffer.from('{"id":"gen-1","provider":"Together","content":"'), invalid, Buffer.from('"}')]);
    expect(deriveRoute({ responseBody: withRoute }).system).toBe('openrouter');
  });

  it('on truncated SSE: every prefix of a recorded stream', () => {
    const stream = loadFixture('openrouter-chat-stream-sse-amazon-bedrock.json').response.body as string;
    for (let length = 0; length <= stream.length; length += 7) {
      const attribution = deriveRoute({ url: 'https://openrouter.ai/api/v1/chat/completions', responseBody: stream.slice(0, length) });
      expectBounded(attribution);
      // Once the first data line is complete, the upstream is known and never wrong.
      if (attribution.upstream !== undefined) expect(attribution.upstream).toBe('aws.bedrock');
    }
  });

  it('bounds its work on huge bodies', () => {
    const chunk = 'data: {"id":"gen-1","provider":"Together","choices":[{"delta":{"content":"x"}}]}\n\n';
    const hugeStream = `: OPENROUTER PROCESSING\n\n${chunk.repeat(Math.ceil((8 * MIB) / chunk.length))}`;
    const hugeJson = `{"id":"gen-1","provider":"Together","padding":"${'x'.repeat(8 * MIB)}"}`;
    for (const responseBody of [hugeStream, hugeJson, Buffer.from(hugeJson), JSON.parse(hugeJson) as unknown]) {
      const attribution = deriveRoute({ url: 'https://openrouter.ai/api/v1/chat/completions', responseBody });
      expect(attribution.upstream).toBe('together');
      expectBounded(attribution);
    }
  });
});

describe('the parsers never throw', () => {
  it('on arbitrary strings and values', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.webUrl(), signalString, fc.anything()), (value) => {
        parseBedrockModelId(value as string);
        parseAzureUrl(value as string);
        normalizeProvider(value as string);
        normalizeProvider(value as string, 'openrouter');
        modelVendor(value as string);
        createHeaderLookup(value as Headers).get('x');
        readBodyFacts(value);
        routeAttributes(value as RouteAttribution);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('keep model IDs with every prefix and suffix combination parseable', () => {
    const id = fc
      .tuple(
        fc.constantFrom('', 'us.', 'eu.', 'apac.', 'us-gov.', 'jp.', 'au.', 'global.'),
        fc.constantFrom('anthropic', 'meta', 'amazon', 'mistral', 'cohere', 'openai', 'qwen', 'deepseek'),
        fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,30}$/),
        fc.constantFrom('', '-v1:0', '-v2:0:200k', '-v1', 'v0:2', '-1:0', '-v14'),
      )
      .map(([geo, vendor, name, suffix]) => ({ geo, vendor, text: `${geo}${vendor}.${name}${suffix}` }));
    fc.assert(
      fc.property(id, ({ geo, text }) => {
        const parsed = parseBedrockModelId(text);
        expect(parsed).toBeDefined();
        expect(parsed?.geography).toBe(geo ? geo.slice(0, -1) : undefined);
        expect(parseBedrockModelId(encodeURIComponent(text))?.model).toBe(parsed?.model);
      }),
      { numRuns: RUNS },
    );
  });
});
