import { createTestMetrics, DataPointType, type HistogramMetricData, type TestMeterProvider } from '@servedby/test-otel';
import { afterEach, describe, expect, it } from 'vitest';
import { createRouteMetrics } from './metrics';
import type { RouteAttribution } from './types';

const openRouterTogether: RouteAttribution = {
  system: 'openrouter',
  gateway: 'openrouter',
  upstream: 'together',
  requestModel: 'meta-llama/llama-3.3-70b-instruct',
  responseModel: 'meta-llama/llama-3.3-70b-instruct',
  requestId: 'gen-1780944464-aVi4',
  path: ['openrouter', 'together'],
  evidence: ['body.provider'],
};

const providers: TestMeterProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((provider) => provider.shutdown()));
});

function setup() {
  const { meterProvider: provider, collect: collectMetrics } = createTestMetrics();
  providers.push(provider);
  const collect = async () => {
    const metrics = (await collectMetrics()).scopeMetrics.flatMap((scope) => scope.metrics);
    return (name: string) => metrics.filter((metric) => metric.descriptor.name === name).at(-1) as HistogramMetricData | undefined;
  };
  return { meter: provider.getMeter('test'), collect };
}

describe('createRouteMetrics', () => {
  it('records duration and token usage with route dimensions and the semconv buckets', async () => {
    const { meter, collect } = setup();
    const routeMetrics = createRouteMetrics(meter);
    routeMetrics.record({
      operation: 'chat',
      attribution: openRouterTogether,
      durationSeconds: 1.5,
      usage: { inputTokens: 100, outputTokens: 20 },
      serverAddress: 'openrouter.ai',
      serverPort: 443,
    });
    const metric = await collect();

    const duration = metric('gen_ai.client.operation.duration');
    expect(duration?.descriptor.unit).toBe('s');
    expect(duration?.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(duration?.dataPoints).toHaveLength(1);
    const durationPoint = duration!.dataPoints[0]!;
    expect(durationPoint.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'openrouter',
      'gen_ai.provider.name': 'openrouter',
      'gen_ai.request.model': 'meta-llama/llama-3.3-70b-instruct',
      'gen_ai.response.model': 'meta-llama/llama-3.3-70b-instruct',
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': 'together',
      'server.address': 'openrouter.ai',
      'server.port': 443,
    });
    expect(durationPoint.value.buckets.boundaries).toEqual([
      0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
    ]);
    expect(durationPoint.value.sum).toBe(1.5);

    const tokens = metric('gen_ai.client.token.usage');
    expect(tokens?.descriptor.unit).toBe('{token}');
    const byType = Object.fromEntries(
      tokens!.dataPoints.map((point) => [point.attributes['gen_ai.token.type'], point]),
    );
    expect(byType.input?.value.sum).toBe(100);
    expect(byType.output?.value.sum).toBe(20);
    expect(byType.input?.attributes['gen_ai.route.upstream']).toBe('together');
    expect(byType.input?.value.buckets.boundaries).toEqual([
      1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
    ]);
  });

  it('never uses request ids, paths or evidence as dimensions', async () => {
    const { meter, collect } = setup();
    createRouteMetrics(meter).record({ operation: 'chat', attribution: openRouterTogether, durationSeconds: 0.2 });
    const point = (await collect())('gen_ai.client.operation.duration')!.dataPoints[0]!;
    const values = JSON.stringify(point.attributes);
    expect(values).not.toContain('gen-1780944464');
    expect(Object.keys(point.attributes).some((key) => key.includes('evidence') || key.includes('path'))).toBe(false);
  });

  it('adds error.type to the duration only and honours the semconv mode', async () => {
    const { meter, collect } = setup();
    createRouteMetrics(meter, { semconv: 'latest' }).record({
      operation: 'chat',
      attribution: { system: 'aws.bedrock', gateway: 'aws.bedrock', upstream: 'anthropic', evidence: [] },
      durationSeconds: 0.4,
      usage: { inputTokens: 5 },
      errorType: '429',
    });
    const metric = await collect();
    const durationAttributes = metric('gen_ai.client.operation.duration')!.dataPoints[0]!.attributes;
    expect(durationAttributes['error.type']).toBe('429');
    expect(durationAttributes['gen_ai.provider.name']).toBe('aws.bedrock');
    expect(durationAttributes['gen_ai.system']).toBeUndefined();
    expect(metric('gen_ai.client.token.usage')!.dataPoints[0]!.attributes['error.type']).toBeUndefined();
  });

  it('skips invalid numbers and never throws', async () => {
    const { meter, collect } = setup();
    const routeMetrics = createRouteMetrics(meter);
    expect(() =>
      routeMetrics.record({ operation: 'chat', durationSeconds: Number.NaN, usage: { inputTokens: -1, outputTokens: Number.POSITIVE_INFINITY } }),
    ).not.toThrow();
    expect(() => routeMetrics.record(undefined as never)).not.toThrow();
    const metric = await collect();
    expect(metric('gen_ai.client.operation.duration')?.dataPoints ?? []).toHaveLength(0);
    expect(metric('gen_ai.client.token.usage')?.dataPoints ?? []).toHaveLength(0);
  });
});

describe('createRouteMetrics: cost and providerName', () => {
  it("records the gateway's cost with the route dimensions, and names the upstream as provider with providerName 'upstream'", async () => {
    const { meter, collect } = setup();
    const routeMetrics = createRouteMetrics(meter, { semconv: 'latest', providerName: 'upstream' });
    routeMetrics.record({ operation: 'chat', attribution: { ...openRouterTogether, cost: 0.00042 }, durationSeconds: 0.2 });
    routeMetrics.record({ operation: 'chat', attribution: openRouterTogether, durationSeconds: 0.2 });
    const metric = await collect();
    const cost = metric('gen_ai.client.cost');
    expect(cost?.descriptor.unit).toBe('USD');
    expect(cost?.dataPoints).toHaveLength(1);
    expect(cost!.dataPoints[0]!.value.sum).toBe(0.00042);
    expect(cost!.dataPoints[0]!.value.count).toBe(1);
    expect(cost!.dataPoints[0]!.attributes).toMatchObject({
      'gen_ai.provider.name': 'together',
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': 'together',
    });
  });
});
