import { type AttributeValue, type Attributes, diag, DiagLogLevel, type SpanContext } from '@opentelemetry/api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EndingSpan, RouteSpanProcessor } from './route-span-processor';

// Every attribute name the peer readers look at, so hostile values land where they are read.
const PEER_KEYS = [
  'openinference.span.kind', 'llm.provider', 'llm.system', 'llm.model_name', 'llm.invocation_parameters', 'output.value',
  'output.mime_type', 'metadata', 'input.value', 'input.mime_type', 'ai.operationId', 'ai.model.provider', 'ai.model.id', 'ai.response.model', 'ai.response.id',
  'ai.response.providerMetadata', 'rpc.system', 'rpc.service', 'rpc.method', 'aws.request.id', 'cloud.region',
  'langfuse.observation.type', 'langfuse.observation.metadata.ls_provider', 'langfuse.observation.metadata.ls_model_name',
  'gen_ai.operation.name', 'gen_ai.system', 'gen_ai.provider.name', 'gen_ai.request.model', 'gen_ai.response.model',
  'gen_ai.response.id', 'gen_ai.openai.api_base', 'server.address', 'server.port', 'url.full', 'http.request.method',
  'http.response.status_code', 'gen_ai.route.upstream', 'gen_ai.route.gateway', 'gen_ai.route.upstreams',
];
const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__'];
const HEADER_NAMES = ['x-litellm-model-name', 'x-generation-id', 'x-ms-region', 'x-amzn-requestid', 'x-portkey-provider', 'apim-request-id', ...PROTOTYPE_NAMES];

const hostileName = fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string({ maxLength: 12 }));
const providerish = fc.oneof(hostileName, fc.constantFrom('Amazon Bedrock', 'openai', 'azure', 'bedrock/constructor', 'gen-1-x', 'gen_01KKHTPN1QBWX0ERVPTF7D28P2'));
// JSON texts shaped like what peers store: raw bodies, LangChain LLMResults, provider metadata.
const jsonish = fc.oneof(
  fc.record({ id: providerish, model: providerish, provider: providerish, choices: fc.array(fc.jsonValue(), { maxLength: 2 }) }, { requiredKeys: [] }),
  fc.record({ generations: fc.array(fc.array(fc.record({ generationInfo: fc.dictionary(hostileName, providerish), message: fc.record({ kwargs: fc.dictionary(hostileName, fc.jsonValue()) }) }, { requiredKeys: [] }), { maxLength: 2 }), { maxLength: 2 }) }),
  fc.record({ gateway: fc.record({ routing: fc.dictionary(hostileName, providerish) }), openrouter: fc.dictionary(hostileName, providerish) }, { requiredKeys: [] }),
  fc.dictionary(hostileName, fc.jsonValue({ maxDepth: 3 })),
  fc.jsonValue({ maxDepth: 4 }),
).map((value) => JSON.stringify(value) ?? 'null');
const attributeValue: fc.Arbitrary<unknown> = fc.oneof(
  providerish,
  jsonish,
  fc.constantFrom('LLM', 'aws-api', 'BedrockRuntime', 'Converse', 'chat', 'generation', 'ai.generateText.doGenerate', 'application/json', '{', '[', '{"__proto__":{"provider":"x"}}'),
  fc.string({ maxLength: 64 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.array(fc.oneof(providerish, fc.integer(), fc.constant(null)), { maxLength: 4 }),
  fc.constant(undefined),
  fc.constant(null),
  fc.constant({ toString: 'x' }),
  fc.nat({ max: 300_000 }).map((length) => `{"provider":"${'p'.repeat(length)}"}`),
);
const attributeKey = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...PEER_KEYS) },
  { weight: 2, arbitrary: fc.constantFrom(...HEADER_NAMES).map((name) => `http.response.header.${name}`) },
  { weight: 1, arbitrary: hostileName },
);
const randomBag = fc.dictionary(attributeKey, attributeValue, { maxKeys: 16 });
// Bags shaped like each peer's model-call span, with hostile values in the fields that decide.
const openRouterBody = fc.record({ id: fc.oneof(providerish, fc.constant('gen-1780944464-aVi4x8Mw2aEBGnCL6z99')), provider: providerish, model: providerish });
const peerShapedBag = fc.oneof(
  fc.record({
    'openinference.span.kind': fc.constant('LLM'),
    'llm.system': providerish,
    'output.value': openRouterBody.map((body) => JSON.stringify(body)),
    'output.mime_type': fc.constant('application/json'),
    'input.value': fc.record({ provider: fc.dictionary(hostileName, fc.jsonValue({ maxDepth: 2 })), models: fc.array(providerish, { maxLength: 3 }) }, { requiredKeys: [] }).map((body) => JSON.stringify(body)),
    'input.mime_type': fc.constant('application/json'),
  }),
  fc.record({ 'gen_ai.operation.name': fc.constant('chat'), 'gen_ai.provider.name': providerish, 'gen_ai.request.model': providerish, 'gen_ai.response.id': fc.oneof(providerish, fc.constant('gen-1796549295-XwFdk8KyKJWj5M8o2iDO')), 'server.address': fc.oneof(hostileName, fc.constantFrom('openrouter.ai', 'api.openai.com', 'ai-gateway.vercel.sh')) }),
  fc.record({ 'rpc.system': fc.constant('aws-api'), 'rpc.service': fc.constant('BedrockRuntime'), 'rpc.method': fc.constant('Converse'), 'gen_ai.request.model': fc.oneof(providerish, fc.constantFrom('anthropic.claude-3-5-sonnet-20240620-v1:0', 'us.constructor.x-v1:0', 'arn:aws:bedrock:us-east-1:1:inference-profile/__proto__.x')), 'aws.request.id': providerish, 'cloud.region': hostileName }),
  fc.record({ 'gen_ai.operation.name': fc.constant('chat'), 'gen_ai.system': providerish, 'ai.response.providerMetadata': fc.record({ gateway: fc.record({ routing: fc.record({ finalProvider: providerish, resolvedProvider: providerish }) }), openrouter: fc.record({ provider: providerish }) }, { requiredKeys: [] }).map((value) => JSON.stringify(value)) }),
  fc.record({ 'gen_ai.system': providerish, 'gen_ai.request.model': providerish, 'http.response.header.x-litellm-model-name': fc.array(providerish.map((name) => `${name}/x`), { minLength: 1, maxLength: 2 }), 'http.response.header.x-litellm-call-id': fc.array(providerish, { maxLength: 1 }) }),
);
const attributeBag = fc
  .oneof(randomBag, fc.tuple(peerShapedBag, fc.dictionary(attributeKey, attributeValue, { maxKeys: 3 })).map(([shaped, extra]) => ({ ...extra, ...shaped })))
  .map((bag) => bag as Attributes);

const ALLOWED_WRITTEN_KEY = /^(gen_ai\.route\.[a-z_]+|gen_ai\.system|gen_ai\.provider\.name|gen_ai\.request\.model|gen_ai\.response\.model|gen_ai\.usage\.cost|cloud\.region|aws\.region)$/;

function isAllowedValue(value: AttributeValue): boolean {
  if (typeof value === 'string') return value.length <= 512 && !value.includes('[native code]');
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value === 'boolean') return true;
  return Array.isArray(value) && value.length <= 32 && value.every((item) => typeof item === 'string' && item.length <= 512 && !item.includes('[native code]'));
}

let counter = 0;
function endingSpan(attributes: Attributes, parent?: SpanContext) {
  counter++;
  const written: Array<[string, AttributeValue]> = [];
  const own: SpanContext = { traceId: 'a'.repeat(32), spanId: counter.toString(16).padStart(16, '0'), traceFlags: 1 };
  const span: EndingSpan = {
    name: 'span',
    attributes,
    ...(parent ? { parentSpanContext: parent } : {}),
    spanContext: () => own,
    setAttribute(key, value) {
      written.push([key, value]);
      (attributes as Record<string, unknown>)[key] = value;
      return span;
    },
  };
  return { span, written, own };
}

const warnings: unknown[] = [];
beforeAll(() => {
  diag.setLogger({ error: (...args) => warnings.push(args), warn: (...args) => warnings.push(args), info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
});
afterAll(() => diag.disable());

describe('RouteSpanProcessor over hostile attribute bags (property)', () => {
  it('never throws or hits its own error path; writes only bounded primitive values under route keys; never overwrites', () => {
    const processor = new RouteSpanProcessor({ semconv: 'both', maxTrackedParents: 64 });
    let routed = 0;
    fc.assert(
      fc.property(attributeBag, fc.array(attributeBag, { maxLength: 3 }), (bag, childBags) => {
        warnings.length = 0;
        const parent = endingSpan({ ...bag });
        processor.onStart(parent.span, undefined as never);
        // HTTP client children (with hostile captured headers) start under the span, then end first.
        for (const childBag of childBags) {
          const child = endingSpan({ ...childBag, 'http.request.method': 'POST' }, parent.own);
          processor.onStart(child.span, undefined as never);
          processor.onEnding(child.span);
        }
        const before = { ...parent.span.attributes };
        expect(() => processor.onEnding(parent.span)).not.toThrow();
        expect(warnings).toEqual([]);
        expect(parent.written.length).toBeLessThanOrEqual(24);
        if (parent.written.some(([key]) => key === 'gen_ai.route.gateway' || key === 'gen_ai.route.upstream')) routed++;
        for (const [key, value] of parent.written) {
          expect(key).toMatch(ALLOWED_WRITTEN_KEY);
          expect(isAllowedValue(value)).toBe(true);
          if (!key.startsWith('gen_ai.route.')) expect(before[key]).toBeUndefined();
        }
        // A span that already carries servedby's route is only given its descendants' upstreams.
        if (typeof before['gen_ai.route.upstream'] === 'string' && before['gen_ai.route.upstream'] !== '') {
          expect(parent.written.every(([key]) => key === 'gen_ai.route.upstreams')).toBe(true);
        }
      }),
      { numRuns: 20_000 },
    );
    // The bags reach the deciding paths, not only the early exits.
    expect(routed).toBeGreaterThan(200);
  }, 600_000);

  it('never lets a prototype name reach the route as anything but a plain string', () => {
    const processor = new RouteSpanProcessor({ semconv: 'both' });
    for (const name of PROTOTYPE_NAMES) {
      const { span, written } = endingSpan({
        'openinference.span.kind': 'LLM',
        'output.value': JSON.stringify({ id: 'gen-1780944464-aVi4x8Mw2aEBGnCL6z99', provider: name, model: name }),
        'output.mime_type': 'application/json',
        'http.response.header.x-litellm-model-name': [`${name}/x`],
      });
      processor.onEnding(span);
      for (const [, value] of written) expect(isAllowedValue(value)).toBe(true);
    }
  });

  it('keeps its per-parent memory bounded when parents never end', () => {
    const processor = new RouteSpanProcessor({ maxTrackedParents: 8 });
    for (let index = 0; index < 1_000; index++) {
      // A model-call span that never ends, with HTTP children and a child that reports an upstream.
      const agent = endingSpan({ 'gen_ai.operation.name': 'chat' });
      processor.onStart(agent.span, undefined as never);
      for (let retry = 0; retry < 6; retry++) {
        processor.onStart(endingSpan({ 'http.request.method': 'GET', 'url.full': 'https://example.com/' }, agent.own).span, undefined as never);
      }
      processor.onEnding(endingSpan({ 'gen_ai.route.upstream': `upstream-${index}` }, agent.own).span);
    }
    const internals = processor as unknown as { upstreamsByParent: Map<string, unknown>; exchangesByParent: Map<string, unknown[]> };
    expect(internals.upstreamsByParent.size).toBeLessThanOrEqual(8);
    expect(internals.exchangesByParent.size).toBeLessThanOrEqual(8);
    for (const children of internals.exchangesByParent.values()) expect(children.length).toBeLessThanOrEqual(4);
  });

  it('forgets a parent\'s HTTP children when the parent ends', () => {
    const processor = new RouteSpanProcessor();
    const server = endingSpan({ 'http.request.method': 'GET', 'http.route': '/chat' });
    processor.onStart(server.span, undefined as never);
    processor.onStart(endingSpan({ 'http.request.method': 'POST', 'url.full': 'https://example.com/' }, server.own).span, undefined as never);
    expect((processor as unknown as { exchangesByParent: Map<string, unknown> }).exchangesByParent.size).toBe(1);
    processor.onEnding(server.span);
expect((processor as unknown as { exchangesByParent: Map<string, unknown> }).exchangesByParent.size).toBe(0);
  });
});
