import { describe, expect, it } from 'vitest';
import { createTestTracing } from '@servedby/test-otel';
import { beforeSpanEnds } from './before-span-ends';

describe('beforeSpanEnds', () => {
  it('runs every hook before the span ends, then gives the span its own end back', () => {
    const telemetry = createTestTracing();
    const span = telemetry.tracerProvider.getTracer('test').startSpan('chat');
    const classEnd = span.end;
    const order: string[] = [];
    beforeSpanEnds(span, () => {
      order.push('first');
      span.setAttribute('gen_ai.route.upstream', 'anthropic');
    });
    beforeSpanEnds(span, () => order.push('second'));
    expect(Object.prototype.hasOwnProperty.call(span, 'end')).toBe(true);
    span.end();
    expect(order).toEqual(['first', 'second']);
    expect(telemetry.spans()[0]!.attributes['gen_ai.route.upstream']).toBe('anthropic');
    // Nothing of servedby's stays on an ended span (an exporter may hold it a while): not even the property.
    expect(Object.prototype.hasOwnProperty.call(span, 'end')).toBe(false);
    expect(span.end).toBe(classEnd);
    // A second end still ends the span once.
    span.end();
    expect(telemetry.spans()).toHaveLength(1);
  });

  it("puts back another instrumentation's own end instead of deleting it", () => {
    const telemetry = createTestTracing();
    const span = telemetry.tracerProvider.getTracer('test').startSpan('chat');
    const classEnd = span.end;
    const calls: string[] = [];
    const theirEnd = function (this: typeof span, ...endArguments: Parameters<typeof span.end>) {
      calls.push('theirs');
      return classEnd.apply(this, endArguments);
    };
    span.end = theirEnd;
    beforeSpanEnds(span, () => calls.push('hook'));
    span.end();
    expect(calls).toEqual(['hook', 'theirs']);
    expect(span.end).toBe(theirEnd);
  });

  it('leaves a patch made over its own in place', () => {
    const telemetry = createTestTracing();
    const span = telemetry.tracerProvider.getTracer('test').startSpan('chat');
    const calls: string[] = [];
    beforeSpanEnds(span, () => calls.push('hook'));
    const ours = span.end;
    const laterEnd = function (this: typeof span, ...endArguments: Parameters<typeof span.end>) {
      calls.push('later');
      return ours.apply(this, endArguments);
    };
    span.end = laterEnd;
    span.end();
    expect(calls).toEqual(['later', 'hook']);
    expect(span.end).toBe(laterEnd);
    expect(telemetry.spans()).toHaveLength(1);
  });

  it('logs a hook that throws and still runs the others and ends the span', () => {
    const telemetry = createTestTracing();
    const span = telemetry.tracerProvider.getTracer('test').startSpan('chat');
    const order: string[] = [];
    beforeSpanEnds(span, () => {
      throw new Error('hook failed');
    });
    beforeSpanEnds(span, () => order.push('second'));
    expect(() => span.end()).not.toThrow();
    expect(order).toEqual(['second']);
    expect(telemetry.spans()).toHaveLength(1);
  });
});
