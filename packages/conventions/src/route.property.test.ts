import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAzureUrl } from './azure-url';
import { parseBedrockModelId } from './bedrock-model-id';
import { readBodyFacts } from './body';
import { deriveRoute, MAX_POLICY_LENGTH, MAX_ROUTE_VALUE_LENGTH } from './derive-route';
import { createHeaderLookup } from './headers';
import { modelVendor, normalizeProvider, type ProviderNameSource } from './providers';
import { routeAttributes } from './route-attributes';
import { sanitizeUrl, splitUrl } from './shared/url';
import type { RouteAttribution, RouteObservation } from './types';
import { foldProviderName } from './vocabulary';

// Issue 11 proof: ≥ 20,000 runs per property over hostile input.
const RUNS = 20_000;
// Worst-case time per call. Every input is bounded before it is read (1 MiB of body text, 512
// headers of 4 KiB, 8 KiB of URL), so no call may cost more than a few milliseconds of parsing;
// asserted generously (250 ms per worst-case call, whole-run budgets below) so a loaded 2-core
// box does not make the test flaky.
const WORST_CASE_CALL_MS = 250;
const MIB = 1 << 20;

// Names that live on Object.prototype: a lookup table that is not own-key only returns functions for them.
const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__defineGetter__'];

function expectAttributeValues(attributes: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (Array.isArray(value)) {
      expect(value.length).toBeLessThanOrEqual(16);
      for (const item of value) {
        expect(typeof item).toBe('string');
        expect((item as string).length).toBeLessThanOrEqual(MAX_ROUTE_VALUE_LENGTH);
      }
    } else if (typeof value === 'string') {
      expect(value.length).toBeLessThanOrEqual(name === 'gen_ai.route.policy' ? MAX_POLICY_LENGTH : MAX_ROUTE_VALUE_LENGTH);
    } else if (typeof value === 'number') {
      expect(Number.isFinite(value)).toBe(true);
    } else {
      expect(typeof value).toBe('boolean');
    }
  }
}

function expectBounded(attribution: RouteAttribution): void {
  expect(typeof attribution.system).toBe('string');
  expect(attribution.system.length).toBeGreaterThan(0);
  expect(Array.isArray(attribution.evidence)).toBe(true);
  for (const key of ['gateway', 'upstream', 'requestModel', 'responseModel', 'deployment', 'region', 'awsRegion', 'regionScope', 'requestId'] as const) {
    const value = attribution[key];
    if (value !== undefined) {
      expect(typeof value).toBe('string');
      expect(value.length).toBeGreaterThan(0);
      expect(value.length).toBeLessThanOrEqual(MAX_ROUTE_VALUE_LENGTH);
    }
  }
  expect((attribution.path ?? []).length).toBeLessThanOrEqual(8);
  expectAttributeValues(routeAttributes(attribution));
  expectAttributeValues(routeAttributes(attribution, { semconv: 'latest', providerName: 'upstream' }));
}

const signalString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(...PROTOTYPE_NAMES),
  fc.constantFrom(
    'gen-1780944464-aVi4x8Mw2aEBGnCL6z99',
    'gen_01KKHTPN1QBWX0ERVPTF7D28P2',
    'Amazon Bedrock',
    'constructor/x',
    '__proto__/gpt-4o',
    'azure/gpt-4o',
    'bedrock/us.anthropic.claude-3-5-sonnet-20240620-v1:0',
    'openrouter/anthropic/claude',
    'us.anthropic.claude-haiku-4-5-20251001-v1:0',
    'arn:aws:bedrock:us-east-1:1:inference-profile/us.meta.llama3-8b-instruct-v1:0',
    'arn:aws:bedrock:us-east-1:1:custom-model/constructor.x/y',
    'constructor.model-v1:0',
    'West Europe',
    'msg_bdrk_01',
    'kong_semantic_cache:x',
    'req_0123456789abcdef0123456789abcdef',
    '',
  ),
);
const headerName = fc.oneof(
  fc.string({ maxLength: 24 }),
  fc.constantFrom(...PROTOTYPE_NAMES),
  fc.constantFrom(
    'x-generation-id',
    'x-litellm-model-name',
    'x-litellm-model-api-base',
    'x-litellm-attempted-fallbacks',
    'x-litellm-response-cost',
    'llm_provider-x-amzn-requestid',
    'x-ms-served-model',
    'x-ms-region',
    'x-portkey-provider',
    'x-portkey-cache-status',
    'x-kong-llm-model',
    'x-cache-status',
    'x-cache-key',
    'x-kong-request-id',
    'x-provider-name',
    'apim-request-id',
    'cf-aig-cache-status',
    'helicone-fallback-index',
    'openai-organization',
    'x-amzn-requestid',
  ),
);
const headers = fc.oneof(
  fc.dictionary(headerName, fc.oneof(signalString, fc.array(signalString, { maxLength: 3 }), fc.integer(), fc.constant(undefined))),
  fc.array(fc.tuple(headerName, signalString), { maxLength: 8 }),
  fc.anything({ maxDepth: 2 }),
);
const body = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }),
  fc.record(
    {
      id: signalString,
      model: signalString,
      provider: signalString,
      x_groq: fc.anything({ maxDepth: 1 }),
      usage: fc.record({ cost: fc.oneof(fc.double(), fc.string()), inference_geo: signalString }, { requiredKeys: [] }),
      error: fc.record({ type: signalString, metadata: fc.record({ provider_name: fc.oneof(signalString, fc.constant(null)) }) }, { requiredKeys: [] }),
      choices: fc.anything({ maxDepth: 2 }),
    },
    { requiredKeys: [] },
  ),
  fc.array(fc.oneof(fc.constant(':'), fc.constant('data: '), fc.constant('\n\n'), fc.constant('{"provider":"'), signalString), { maxLength: 12 }).map((parts) => parts.join('')),
);
const observation: fc.Arbitrary<RouteObservation> = fc.record(
  {
    url: fc.oneof(fc.webUrl({ withQueryParameters: true }), fc.string({ maxLength: 60 }), signalString, fc.constantFrom('https://openrouter.ai/api/v1', 'http://localhost:4000/v1', 'https://api.portkey.ai/v1', 'https://router.huggingface.co/novita/v3/openai/chat/completions', 'http://gw.example/model/anthropic.claude-3-haiku-20240307-v1:0/converse')),
    requestModel: signalString,
    responseHeaders: headers as fc.Arbitrary<RouteObservation['responseHeaders']>,
    responseBody: body,
    providerMetadata: fc.oneof(
      fc.anything({ maxDepth: 2 }),
      fc.record({ openrouter: fc.record({ provider: signalString }), gateway: fc.record({ routing: fc.record({ finalProvider: signalString }) }), bedrock: fc.anything({ maxDepth: 1 }) }, { requiredKeys: [] }),
    ) as fc.Arbitrary<Record<string, unknown>>,
    region: signalString,
    providerHint: signalString,
    clientLabel: signalString,
    status: fc.oneof(fc.integer(), fc.double()),
    responseReceived: fc.anything({ maxDepth: 0 }) as fc.Arbitrary<boolean>,
    attempts: fc.anything({ maxDepth: 0 }) as fc.Arbitrary<number>,
    request: fc.record({ body: fc.oneof(fc.anything({ maxDepth: 3 }), fc.json({ maxDepth: 3 })), headers: headers as fc.Arbitrary<RouteObservation['responseHeaders']> }, { requiredKeys: [] }) as fc.Arbitrary<
      NonNullable<RouteObservation['request']>
    >,
  },
  { requiredKeys: [] },
);

describe(`deriveRoute (${RUNS} runs per property)`, () => {
  it('never throws, keeps every value in bounds and emits only strings, finite numbers, booleans and string arrays', () => {
    const started = performance.now();
    fc.assert(
      fc.property(observation, (input) => {
        expectBounded(deriveRoute(input));
      }),
      { numRuns: RUNS },
    );
    // Whole-run budget: ~6 ms per run on a loaded 2-core box, generation and checks included.
    expect(performance.now() - started).toBeLessThan(RUNS * 6);
  });

  it('never throws on anything at all in place of an observation', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        expectBounded(deriveRoute(input as RouteObservation));
      }),
      { numRuns: RUNS },
    );
  });

  it('folds a prototype name like any unknown name, wherever a gateway names its upstream', () => {
    const name = fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.stringMatching(/^[a-z][a-z0-9]{2,12}$/));
    const slot = fc.constantFrom('openrouter', 'litellm', 'vercel', 'portkey', 'kong');
    fc.assert(
      fc.property(name, slot, (provider, where) => {
        const observations: Record<string, RouteObservation> = {
          openrouter: { url: 'https://openrouter.ai/api/v1', responseBody: { id: 'gen-1-a', provider } },
          litellm: { url: 'http://localhost:4000/v1', responseHeaders: { 'x-litellm-call-id': 'c', 'x-litellm-model-name': `${provider}/m` } },
          vercel: { url: 'https://ai-gateway.vercel.sh/v1', status: 200, providerMetadata: { gateway: { routing: { finalProvider: provider } } } },
          portkey: { url: 'https://api.portkey.ai/v1', responseHeaders: { 'x-portkey-provider': provider } },
          kong: { url: 'http://kong.internal/llm', responseHeaders: { 'x-kong-llm-model': `${provider}/m` } },
        };
        const attribution = deriveRoute(observations[where]!);
        const expected = normalizeProvider(provider, where === 'kong' ? undefined : (where as ProviderNameSource));
        expect(typeof expected).toBe('string');
        if (PROTOTYPE_NAMES.includes(provider)) expect(expected).toBe(foldProviderName(provider));
        // Either the folded name is the upstream, or (folding to a known gateway id) no upstream.
        if (attribution.upstream !== undefined) {
          expect(typeof attribution.upstream).toBe('string');
          expect(attribution.upstream).toBe(expected);
        }
        expect(attribution.gateway).toBe(where);
        expectBounded(attribution);
      }),
      { numRuns: RUNS },
    );
  });

  it('names the vendor of an unknown Bedrock vendor prefix by the fold, prototype names included', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PROTOTYPE_NAMES.filter((name) => /^[a-z]+$/i.test(name))), (vendor) => {
        const attribution = deriveRoute({ url: `https://bedrock-runtime.us-east-1.amazonaws.com/model/${vendor.toLowerCase()}.model-v1:0/converse`, status: 200 });
        expect(attribution.upstream).toBe(foldProviderName(vendor));
      }),
      { numRuns: 200 },
    );
  });

  it('never lets a path shape, a model prefix, a hint or a client label decide an upstream (DESIGN.md §2.7)', () => {
    const weak = fc.record(
      {
        url: fc.constantFrom('http://gw.example/model/anthropic.claude-3-haiku-20240307-v1:0/converse', 'http://10.0.0.1/openai/deployments/gpt-4o/chat/completions', 'http://proxy.internal/v1'),
        requestModel: fc.constantFrom('anthropic/claude-sonnet-4', 'gpt-4o', 'us.anthropic.claude-3-haiku-20240307-v1:0'),
        providerHint: fc.constantFrom('openai', 'ChatOpenAI', 'amazon-bedrock', 'azure', 'anthropic.messages'),
        clientLabel: fc.constantFrom('openai', 'aws.bedrock', 'anthropic'),
        status: fc.constantFrom(200, 500),
        responseBody: fc.constantFrom({ id: 'chatcmpl-1', model: 'gpt-4o-2024-08-06' }, 'data: {"model":"claude"}\n\n', undefined),
      },
      { requiredKeys: ['url'] },
    );
    fc.assert(
      fc.property(weak, (input) => {
        expect(deriveRoute(input).upstream).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('never decides an upstream for a request that got no response', () => {
    fc.assert(
      fc.property(observation, (input) => {
        expect(deriveRoute({ ...input, responseReceived: false }).upstream).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it(`bounds the worst case: each call on 20 MB bodies, 512 huge headers or a 1 MiB URL under ${WORST_CASE_CALL_MS} ms`, () => {
    const chunk = 'data: {"id":"gen-1-a","provider":"Together","choices":[{"delta":{"content":"xxxxxxxxxxxxxxxx"}}]}\n\n';
    const sse = `: OPENROUTER PROCESSING\n\n${chunk.repeat(Math.ceil((20 * MIB) / chunk.length))}`;
    const json = `{"id":"gen-1-a","provider":"Together","padding":"${'x'.repeat(20 * MIB)}"}`;
    const noNewlines = `data: ${'y'.repeat(20 * MIB)}`;
    const manyHeaders = Object.fromEntries(Array.from({ length: 2000 }, (_, index) => [`x-litellm-${index}`, 'v'.repeat(8192)]));
    const cases: RouteObservation[] = [
      { url: 'https://openrouter.ai/api/v1/chat/completions', responseBody: sse },
      { url: 'https://openrouter.ai/api/v1/chat/completions', responseBody: json },
      { url: 'https://openrouter.ai/api/v1/chat/completions', responseBody: Buffer.from(json) },
      { url: 'https://openrouter.ai/api/v1/chat/completions', responseBody: noNewlines },
      { url: 'http://localhost:4000/v1', responseHeaders: manyHeaders },
      { url: `https://openrouter.ai/${'p'.repeat(MIB)}`, requestModel: 'm'.repeat(MIB), status: 200, request: { body: json } },
    ];
    for (const input of cases) {
      deriveRoute(input);
      const started = performance.now();
      const attribution = deriveRoute(input);
      expect(performance.now() - started).toBeLessThan(WORST_CASE_CALL_MS);
      expectBounded(attribution);
    }
    expect(deriveRoute(cases[0]!).upstream).toBe('together');
  });
});

describe(`routeAttributes (${RUNS} runs)`, () => {
  it('emits only strings, finite numbers, booleans and string arrays within bounds, whatever the attribution', () => {
    const attribution = fc.oneof(
      fc.anything(),
      fc.record(
        {
          system: fc.oneof(signalString, fc.anything({ maxDepth: 0 })),
          gateway: fc.anything({ maxDepth: 1 }),
          upstream: fc.oneof(fc.string({ maxLength: 600 }), fc.anything({ maxDepth: 0 })),
          path: fc.oneof(fc.array(fc.oneof(fc.string({ maxLength: 400 }), fc.anything({ maxDepth: 0 })), { maxLength: 40 }), fc.anything({ maxDepth: 1 })),
          attempts: fc.oneof(fc.integer(), fc.double(), fc.anything({ maxDepth: 0 })),
          fallback: fc.anything({ maxDepth: 0 }),
          cost: fc.oneof(fc.double(), fc.anything({ maxDepth: 0 })),
          cacheHit: fc.anything({ maxDepth: 0 }),
          errorSource: fc.oneof(fc.constantFrom('gateway', 'upstream'), fc.anything({ maxDepth: 0 })),
          policy: fc.oneof(fc.string({ maxLength: 2000 }), fc.anything({ maxDepth: 0 })),
          policyHash: fc.oneof(fc.stringMatching(/^[0-9a-f]{16}$/), fc.anything({ maxDepth: 0 })),
          evidence: fc.oneof(fc.array(fc.string({ maxLength: 300 }), { maxLength: 40 }), fc.anything({ maxDepth: 1 })),
        },
        { requiredKeys: [] },
      ),
    );
    const options = fc.record({ semconv: fc.constantFrom('legacy', 'latest', 'both', 'nonsense'), providerName: fc.constantFrom('system', 'upstream', 'x') }, { requiredKeys: [] });
    fc.assert(
      fc.property(attribution, options, (input, option) => {
        expectAttributeValues(routeAttributes(input as RouteAttribution, option as never));
      }),
      { numRuns: RUNS },
    );
  });
});

describe(`the parsers (${RUNS} runs)`, () => {
  it('never throw on arbitrary strings and values', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.webUrl({ withQueryParameters: true }), signalString, fc.anything({ maxDepth: 2 })), (value) => {
        parseBedrockModelId(value as string);
        parseAzureUrl(value as string);
        expect(typeof normalizeProvider(value as string)).toBe('string');
        expect(typeof normalizeProvider(value as string, 'openrouter')).toBe('string');
        const vendor = modelVendor(value as string);
        if (vendor !== undefined) expect(typeof vendor).toBe('string');
        createHeaderLookup(value as Headers).get('x');
        readBodyFacts(value);
        splitUrl(value);
        sanitizeUrl(value);
      }),
      { numRuns: RUNS },
    );
  });

  it('fold prototype names to strings, never to functions', () => {
    for (const name of PROTOTYPE_NAMES) {
      for (const source of [undefined, 'openrouter', 'vercel', 'litellm', 'portkey'] as const) {
        expect(normalizeProvider(name, source)).toBe(foldProviderName(name));
      }
      expect(modelVendor(`${name}/x`)).toBeUndefined();
      expect(typeof (parseBedrockModelId(`arn:aws:bedrock:us-east-1:1:custom-model/${name}.x/y`)?.vendor ?? '')).toBe('string');
    }
  });
});
