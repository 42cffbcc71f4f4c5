import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveSemconvMode, routeAttributes } from './route-attributes';
import type { RouteAttribution } from './types';

const full: RouteAttribution = {
  system: 'litellm',
  gateway: 'litellm',
  upstream: 'aws.bedrock',
  path: ['litellm', 'aws.bedrock', 'anthropic'],
  requestModel: 'claude',
  responseModel: 'us.anthropic.claude-3-5-sonnet-20240620-v1:0',
  deployment: 'dep1',
  region: 'us-east-1',
  awsRegion: 'us-east-1',
  regionScope: 'us',
  requestId: 'c1',
  attempts: 2,
  fallback: true,
  evidence: ['header.x-litellm-model-name', 'header.x-litellm-call-id'],
};

describe('routeAttributes', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('maps every field to its attribute, arrays as string arrays (default: both system names)', () => {
    expect(routeAttributes(full)).toEqual({
      'gen_ai.system': 'litellm',
      'gen_ai.provider.name': 'litellm',
      'gen_ai.request.model': 'claude',
      'gen_ai.response.model': 'us.anthropic.claude-3-5-sonnet-20240620-v1:0',
      'gen_ai.route.gateway': 'litellm',
      'gen_ai.route.upstream': 'aws.bedrock',
      'gen_ai.route.path': ['litellm', 'aws.bedrock', 'anthropic'],
      'gen_ai.route.deployment': 'dep1',
      'gen_ai.route.request_id': 'c1',
      'gen_ai.route.attempts': 2,
      'gen_ai.route.fallback': true,
      'gen_ai.route.region_scope': 'us',
      'cloud.region': 'us-east-1',
      'aws.region': 'us-east-1',
      'gen_ai.route.evidence': ['header.x-litellm-model-name', 'header.x-litellm-call-id'],
    });
  });

  it('emits only defined values', () => {
    expect(routeAttributes({ system: 'openai', evidence: [] })).toEqual({ 'gen_ai.system': 'openai', 'gen_ai.provider.name': 'openai' });
    expect(routeAttributes({ system: 'openai', upstream: 'openai', fallback: false, evidence: [] })).toEqual({
      'gen_ai.system': 'openai',
      'gen_ai.provider.name': 'openai',
      'gen_ai.route.upstream': 'openai',
      'gen_ai.route.fallback': false,
    });
  });

  it('honours the semconv mode', () => {
    expect(routeAttributes({ system: 'openai', evidence: [] }, { semconv: 'legacy' })).toEqual({ 'gen_ai.system': 'openai' });
    expect(routeAttributes({ system: 'openai', evidence: [] }, { semconv: 'latest' })).toEqual({ 'gen_ai.provider.name': 'openai' });
  });

  it('selects latest under OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental unless an option is given', () => {
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', 'http, gen_ai_latest_experimental');
    expect(resolveSemconvMode()).toBe('latest');
    expect(routeAttributes({ system: 'openai', evidence: [] })).toEqual({ 'gen_ai.provider.name': 'openai' });
    expect(routeAttributes({ system: 'openai', evidence: [] }, { semconv: 'both' })).toEqual({
      'gen_ai.system': 'openai',
      'gen_ai.provider.name': 'openai',
    });
    vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', 'http/dup');
    expect(resolveSemconvMode()).toBe('both');
  });

  it('follows OTEL_SEMCONV_STABILITY_OPT_IN as it changes between calls', () => {
    for (const [optIn, mode] of [
      ['gen_ai_latest_experimental', 'latest'],
      ['http', 'both'],
      ['gen_ai_latest_experimental', 'latest'],
      ['', 'both'],
    ] as const) {
      vi.stubEnv('OTEL_SEMCONV_STABILITY_OPT_IN', optIn);
      expect(resolveSemconvMode()).toBe(mode);
    }
  });

  it('bounds values and arrays, and never throws on malformed attributions', () => {
    const attributes = routeAttributes({ system: 'x'.repeat(10_000), path: Array(100).fill('hop'), evidence: [] });
    expect((attributes['gen_ai.system'] as string).length).toBe(256);
    expect((attributes['gen_ai.route.path'] as string[]).length).toBe(16);
    for (const bad of [undefined, null, 42, 'x', { system: 42, evidence: 'nope', attempts: 1.5 }]) {
      expect(() => routeAttributes(bad as unknown as RouteAttribution)).not.toThrow();
    }
  });
});

describe('routeAttributes: second-round attributes (DESIGN.md §2.6)', () => {
  const second: RouteAttribution = {
    system: 'openrouter',
    gateway: 'openrouter',
    upstream: 'aws.bedrock',
    cost: 0.000081,
    cacheHit: false,
    errorSource: 'upstream',
    policy: '{"provider":{"order":["anthropic"]}}',
    policyHash: '3f2a9c0d41be77e0',
    evidence: ['body.provider'],
  };

  it('emits cost, cache hit, error source, policy and its hash', () => {
    expect(routeAttributes(second, { semconv: 'latest' })).toEqual({
      'gen_ai.provider.name': 'openrouter',
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': 'aws.bedrock',
      'gen_ai.usage.cost': 0.000081,
      'gen_ai.route.cache_hit': false,
      'gen_ai.route.error_source': 'upstream',
      'gen_ai.route.policy': '{"provider":{"order":["anthropic"]}}',
      'gen_ai.route.policy_hash': '3f2a9c0d41be77e0',
      'gen_ai.route.evidence': ['body.provider'],
    });
  });

  it('drops values that are not what they claim to be', () => {
    const bad = { ...second, cost: Number.NaN, errorSource: 'someone', policyHash: 'not-hex', policy: 'p'.repeat(600) } as unknown as RouteAttribution;
    const attributes = routeAttributes(bad, { semconv: 'latest' });
    expect(attributes['gen_ai.usage.cost']).toBeUndefined();
    expect(attributes['gen_ai.route.error_source']).toBeUndefined();
    expect(attributes['gen_ai.route.policy_hash']).toBeUndefined();
    expect((attributes['gen_ai.route.policy'] as string).length).toBe(512);
  });

  it("with providerName 'upstream', names the upstream in gen_ai.provider.name and gen_ai.system", () => {
    expect(routeAttributes(second, { semconv: 'both', providerName: 'upstream' })).toMatchObject({
      'gen_ai.system': 'aws.bedrock',
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.route.gateway': 'openrouter',
    });
  });

  it("with providerName 'upstream' and no upstream known, keeps the system", () => {
    const { upstream: _upstream, ...withoutUpstream } = second;
    expect(routeAttributes(withoutUpstream, { semconv: 'latest', providerName: 'upstream' })['gen_ai.provider.name']).toBe('openrouter');
  });
});
