import { ROOT_CONTEXT } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { contextWithUpstreamsCollector, createUpstreamsCollector, reportUpstream } from './upstreams';

describe('upstreams collector', () => {
  it('keeps distinct upstreams in first-seen order and ignores empty ones', () => {
    const collector = createUpstreamsCollector();
    collector.add('together');
    collector.add(undefined);
    collector.add('');
    collector.add('aws.bedrock');
    collector.add('together');
    expect(collector.values()).toEqual(['together', 'aws.bedrock']);
  });

  it('reports to every collector of nested agents, and only to those in the context', () => {
    const outer = createUpstreamsCollector();
    const inner = createUpstreamsCollector();
    const sibling = createUpstreamsCollector();
    const outerContext = contextWithUpstreamsCollector(ROOT_CONTEXT, outer);
    const innerContext = contextWithUpstreamsCollector(outerContext, inner);
    const siblingContext = contextWithUpstreamsCollector(outerContext, sibling);

    reportUpstream(innerContext, 'together');
    reportUpstream(siblingContext, 'aws.bedrock');
    reportUpstream(outerContext, 'openai');
    reportUpstream(innerContext, undefined);

    expect(inner.values()).toEqual(['together']);
    expect(sibling.values()).toEqual(['aws.bedrock']);
    expect(outer.values()).toEqual(['together', 'aws.bedrock', 'openai']);
  });

  it('does nothing without a collector and survives a collector that throws', () => {
    expect(() => reportUpstream(ROOT_CONTEXT, 'openai')).not.toThrow();
    const throwing = { add: () => { throw new Error('boom'); }, values: () => [] };
    const healthy = createUpstreamsCollector();
    const context = contextWithUpstreamsCollector(contextWithUpstreamsCollector(ROOT_CONTEXT, throwing), healthy);
    expect(() => reportUpstream(context, 'groq')).not.toThrow();
    expect(healthy.values()).toEqual(['groq']);
  });

  it('adds the same collector to a context only once', () => {
    const collector = createUpstreamsCollector();
    const once = contextWithUpstreamsCollector(ROOT_CONTEXT, collector);
    expect(contextWithUpstreamsCollector(once, collector)).toBe(once);
  });
});
