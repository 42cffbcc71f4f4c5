import { describe, expect, it } from 'vitest';
import * as semconv from './semconv';

const attributeConstants = Object.entries(semconv).filter(([name]) => name.startsWith('ATTR_')) as Array<[string, string]>;

describe('semconv constants', () => {
  it('name every attribute once, in the dotted lower-case form', () => {
    const values = attributeConstants.map(([, value]) => value);
    expect(new Set(values).size).toBe(values.length);
    for (const [name, value] of attributeConstants) {
      expect(value).toMatch(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/);
      // ATTR_GEN_AI_ROUTE_UPSTREAM ↔ gen_ai.route.upstream: the constant spells its value.
      expect(name.slice('ATTR_'.length)).toBe(value.toUpperCase().replace(/\./g, '_'));
    }
  });

  it('include every gen_ai.route.* attribute of DESIGN.md §2.1 and §2.6', () => {
    const route = attributeConstants.map(([, value]) => value).filter((value) => value.startsWith('gen_ai.route.'));
    expect(route.sort()).toEqual(
      [
        'gen_ai.route.attempts',
        'gen_ai.route.cache_hit',
        'gen_ai.route.deployment',
        'gen_ai.route.error_source',
        'gen_ai.route.evidence',
        'gen_ai.route.fallback',
        'gen_ai.route.gateway',
        'gen_ai.route.path',
        'gen_ai.route.policy',
        'gen_ai.route.policy_hash',
        'gen_ai.route.region_scope',
        'gen_ai.route.request_id',
        'gen_ai.route.upstream',
        'gen_ai.route.upstreams',
      ].sort(),
    );
  });

  it('carry the spec histogram boundaries', () => {
    expect(semconv.GEN_AI_CLIENT_OPERATION_DURATION_BUCKETS).toHaveLength(14);
    expect(semconv.GEN_AI_CLIENT_OPERATION_DURATION_BUCKETS[0]).toBe(0.01);
    expect(semconv.GEN_AI_CLIENT_OPERATION_DURATION_BUCKETS.at(-1)).toBe(81.92);
    expect(semconv.GEN_AI_CLIENT_TOKEN_USAGE_BUCKETS.every((bound, index) => bound === 4 ** index)).toBe(true);
    expect(Object.isFrozen(semconv.GEN_AI_CLIENT_TOKEN_USAGE_BUCKETS)).toBe(true);
  });
});
