import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { createVirtualClock, createVirtualTimeProcessor } from './virtual-clock';

describe('virtual time', () => {
  it('moves each span to the virtual slice of the tick it started in, keeping its duration', async () => {
    const clock = createVirtualClock({ startMs: Date.UTC(2026, 0, 1), tickMs: 30 * 60_000 });
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [createVirtualTimeProcessor(clock, [new SimpleSpanProcessor(exporter)])],
    });
    const tracer = provider.getTracer('t');
    clock.beginTick(3);
    const first = tracer.startSpan('first');
    clock.beginTick(4);
    const second = tracer.startSpan('second');
    second.addEvent('event');
    first.end();
    second.end();
    await provider.forceFlush();
    const [endedFirst, endedSecond] = exporter.getFinishedSpans();
    const startOf = (span: typeof endedFirst) => hrTimeToMilliseconds(span!.startTime);
    expect(Math.abs(startOf(endedFirst) - clock.tickStartMs(3))).toBeLessThan(1000);
    expect(Math.abs(startOf(endedSecond) - clock.tickStartMs(4))).toBeLessThan(1000);
    // The span itself is untouched: its own duration is what the shifted view reports.
    expect(hrTimeToMilliseconds(endedFirst!.endTime) - startOf(endedFirst)).toBeCloseTo(hrTimeToMilliseconds(endedFirst!.duration), 3);
    expect(Math.abs(hrTimeToMilliseconds(endedSecond!.events[0]!.time) - clock.tickStartMs(4))).toBeLessThan(1000);
  });
});
