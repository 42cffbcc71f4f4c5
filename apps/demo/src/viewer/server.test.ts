import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { generateSyntheticSpans } from '../synthetic/synthetic-spans';
import { startViewer, type Viewer } from './server';

let viewer: Viewer;
beforeAll(async () => {
  viewer = await startViewer({ port: 0 });
});
afterAll(() => viewer.close());

function chatSpans(upstream: string) {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'otlp-client' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  provider
    .getTracer('t')
    .startSpan('chat claude', {
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.route.gateway': 'openrouter', 'gen_ai.route.upstream': upstream, 'gen_ai.request.model': 'm' },
    })
    .end();
  return { provider, spans: memory.getFinishedSpans() };
}

describe('viewer OTLP receiver', () => {
  it('accepts OTLP/JSON from the standard exporter', async () => {
    const { spans } = chatSpans('anthropic');
    const exporter = new OTLPTraceExporter({ url: `${viewer.url}/v1/traces` });
    const result = await new Promise<{ code: number }>((resolve) => exporter.export(spans, resolve));
    expect(result.code).toBe(0);
    await exporter.shutdown();
    const response = await fetch(`${viewer.url}/api/traces?filter=${encodeURIComponent('gen_ai.route.upstream = anthropic')}`);
    const body = (await response.json()) as { total: number; traces: Array<{ serviceName: string; upstreams: string[] }> };
    expect(body.total).toBe(1);
    expect(body.traces[0]).toMatchObject({ serviceName: 'otlp-client', upstreams: ['anthropic'] });
  });

  it('accepts OTLP/protobuf, gzip-compressed', async () => {
    const { spans } = chatSpans('together');
    const body = gzipSync(ProtobufTraceSerializer.serializeRequest(spans as never)!);
    const response = await fetch(`${viewer.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
      body,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-protobuf');
    const traces = (await (await fetch(`${viewer.url}/api/traces?filter=gen_ai.route.upstream%3Dtogether`)).json()) as { total: number };
    expect(traces.total).toBe(1);
  });

  it('answers 400 to a body that is not OTLP', async () => {
    const response = await fetch(`${viewer.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(response.status).toBe(400);
  });
});

describe('viewer API and pages', () => {
  beforeAll(() => {
    viewer.store.clear();
    viewer.store.add(generateSyntheticSpans({ traces: 400 }));
  });

  it('serves every page and the charting library from node_modules', async () => {
    for (const page of ['traces', 'topology', 'drift', 'eval']) {
      const response = await fetch(`${viewer.url}/${page}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain(`data-page="${page}"`);
    }
    const echarts = await fetch(`${viewer.url}/vendor/echarts.min.js`);
    expect(echarts.status).toBe(200);
    expect((await echarts.text()).length).toBeGreaterThan(100_000);
  });

  it('filters traces by attribute, with != and bare keys', async () => {
    const all = (await (await fetch(`${viewer.url}/api/traces?limit=0`)).json()) as { total: number };
    const together = (await (await fetch(`${viewer.url}/api/traces?filter=gen_ai.route.upstream%3Dtogether&limit=5`)).json()) as {
      total: number;
      traces: Array<{ traceId: string; upstreams: string[] }>;
    };
    const notTogether = (await (await fetch(`${viewer.url}/api/traces?filter=gen_ai.route.upstream!%3Dtogether&limit=0`)).json()) as { total: number };
    expect(together.total).toBeGreaterThan(0);
    expect(together.traces.every((trace) => trace.upstreams.includes('together'))).toBe(true);
    expect(together.total + notTogether.total).toBe(all.total);
    const scored = (await (await fetch(`${viewer.url}/api/traces?filter=gen_ai.evaluation.score.value&limit=0`)).json()) as { total: number };
    expect(scored.total).toBe(48);
    const trace = (await (await fetch(`${viewer.url}/api/traces/${together.traces[0]!.traceId}`)).json()) as { spans: unknown[] };
    expect(trace.spans.length).toBeGreaterThanOrEqual(4);
  });

  it('answers topology for a window, drift with its change windows, and the eval cross-tab', async () => {
    const drift = (await (await fetch(`${viewer.url}/api/drift`)).json()) as { windows: Array<{ fromMs: number; toMs: number; gateway: string }> };
    expect(drift.windows).toHaveLength(1);
    const window = drift.windows[0]!;
    expect(window.gateway).toBe('openrouter');
    const topology = (await (await fetch(`${viewer.url}/api/topology?from=${window.fromMs}&to=${window.toMs}`)).json()) as {
      models: Array<{ requestModel: string; flows: Array<{ upstream: string }> }>;
    };
    const openrouter = topology.models.find((model) => model.requestModel === 'anthropic/claude-sonnet-4.5')!;
    expect(openrouter.flows.map((flow) => flow.upstream).sort()).toEqual(['anthropic', 'together']);
    const evaluation = (await (await fetch(`${viewer.url}/api/eval`)).json()) as { windows: Array<{ regression?: unknown }> };
    expect(evaluation.windows.some((entry) => entry.regression)).toBe(true);
  });
});
