import { context, trace } from '@opentelemetry/api';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createTestMetrics, createTestTracing, otelLane, registeredApiVersion } from './index';

// What each lane must look like from inside a test process.
const expectedApi = otelLane === 'sdk2' ? /^1\.9\./ : /^1\.10\./;

describe(`the ${otelLane} lane`, () => {
  it('registers the globals with the lane api version', () => {
    createTestTracing();
    expect(registeredApiVersion()).toMatch(expectedApi);
  });

  it('gives code Node loads itself (CJS require) the same api as the test code', () => {
    const require = createRequire(import.meta.url);
    const api = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
    // `context.attach` is new in api 1.10: present on the main lane, absent on the SDK 2 lane's 1.9.
    // (Checked on the module itself: Node 22 does not run resolve hooks for `require.resolve`.)
    expect(typeof (api.context as { attach?: unknown }).attach).toBe(otelLane === 'sdk2' ? 'undefined' : 'function');
    expect(registeredApiVersion()).toMatch(expectedApi);
    const { tracerProvider, spans, reset } = createTestTracing();
    reset();
    const parent = tracerProvider.getTracer('test').startSpan('parent');
    // The CJS copy sees the context manager the test code installed: the child nests.
    api.context.with(api.trace.setSpan(api.context.active(), parent), () => {
      tracerProvider.getTracer('cjs').startSpan('child').end();
    });
    parent.end();
    const [child, ended] = spans();
    expect(ended?.name).toBe('parent');
    expect(child?.name).toBe('child');
    expect(child?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
  });

  it('delivers spans, nested through the active context, and runs span processors before export', () => {
    const seen: string[] = [];
    const { tracerProvider, spans } = createTestTracing({
      spanProcessors: [
        {
          onStart: () => {},
          onEnding: (span) => {
            seen.push(span.name);
            span.setAttribute('processed', true);
          },
          onEnd: () => {},
          forceFlush: async () => {},
          shutdown: async () => {},
        },
      ],
    });
    const tracer = tracerProvider.getTracer('test');
    tracer.startActiveSpan('outer', (outer) => {
      context.with(trace.setSpan(context.active(), outer), () => tracer.startSpan('inner').end());
      outer.end();
    });
    const [inner, outer] = spans();
    expect(inner?.parentSpanContext?.spanId).toBe(outer?.spanContext().spanId);
    expect(seen).toEqual(['inner', 'outer']);
    expect(inner?.attributes.processed).toBe(true);
  });

  it('puts Node child processes a test starts on the same api (NODE_OPTIONS)', () => {
    const script = "process.stdout.write(typeof require('@opentelemetry/api').context.attach)";
    const output = execFileSync(process.execPath, ['-e', script], { cwd: new URL('.', import.meta.url), encoding: 'utf8' });
    expect(output).toBe(otelLane === 'sdk2' ? 'undefined' : 'function');
  });

  it('collects metrics on demand', async () => {
    const { meterProvider, collect } = createTestMetrics();
    meterProvider.getMeter('test').createHistogram('test.histogram').record(3, { lane: otelLane });
    const metrics = await collect();
    const metric = metrics.scopeMetrics[0]?.metrics[0];
    expect(metric?.descriptor.name).toBe('test.histogram');
    expect(metric?.dataPoints[0]?.attributes).toEqual({ lane: otelLane });
  });
});
