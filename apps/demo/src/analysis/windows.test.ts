import { describe, expect, it } from 'vitest';
import { leafModelCalls, type SpanRecord } from '../otlp/span-record';
import { changeWindows } from '../report/format-report';
import { computeDrift } from './drift';
import type { ModelCall } from './model-calls';

const HOUR = 3_600_000;

function span(spanId: string, parentSpanId: string | undefined, operation?: string): SpanRecord {
  return {
    traceId: 't',
    spanId,
    ...(parentSpanId ? { parentSpanId } : {}),
    name: spanId,
    kind: 1,
    startMs: 0,
    endMs: 1,
    statusCode: 0,
    attributes: operation ? { 'gen_ai.operation.name': operation } : {},
    serviceName: 's',
    scopeName: 'x',
    events: [],
    links: [],
  };
}

describe('leafModelCalls', () => {
  it('drops a chat span that wraps other chat spans (Mastra generation) and keeps the calls', () => {
    const spans = [
      span('agent', undefined, 'invoke_agent'),
      span('generation', 'agent', 'chat'),
      span('step1', 'generation', 'model_step'),
      span('call1', 'step1', 'chat'),
      span('step2', 'generation', 'model_step'),
      span('call2', 'step2', 'chat'),
      span('other', 'agent', 'chat'),
    ];
    expect(leafModelCalls(spans).map((call) => call.spanId)).toEqual(['call1', 'call2', 'other']);
  });
});

function calls(mixPerHour: Array<Record<string, number>>): ModelCall[] {
  return mixPerHour.flatMap((mix, hour) =>
    Object.entries(mix).flatMap(([upstream, count]) =>
      Array.from({ length: count }, (_, index) => ({
        traceId: `t${hour}-${upstream}-${index}`,
        spanId: `s${hour}-${upstream}-${index}`,
        startMs: hour * HOUR + index,
        gateway: 'openrouter',
        upstream,
        requestModel: 'm',
        error: false,
        fallback: false,
      })),
    ),
  );
}

describe('changeWindows', () => {
  it('keeps one window when the mix wobbles inside it', () => {
    const drift = computeDrift(
      calls([{ a: 10 }, { a: 10 }, { b: 8, a: 2 }, { b: 4, a: 6 }, { b: 8, a: 2 }, { a: 10 }, { a: 10 }]),
      { bucketMs: HOUR },
    );
    expect(changeWindows(drift).map((window) => [window.fromMs / HOUR, window.toMs! / HOUR])).toEqual([[2, 5]]);
  });

  it('dates a gradual onset from where the departed upstream first appeared', () => {
    const drift = computeDrift(calls([{ a: 10 }, { a: 9, b: 1 }, { a: 8, b: 2 }, { a: 5, b: 5 }, { a: 10 }, { a: 10 }]), { bucketMs: HOUR });
    const windows = changeWindows(drift);
    expect(windows).toHaveLength(1);
    expect(windows[0]!.fromMs).toBe(1 * HOUR);
    expect(windows[0]!.toMs).toBe(4 * HOUR);
  });

  it('leaves a change that never reverts open to the end of the data', () => {
    const drift = computeDrift(calls([{ a: 10 }, { a: 10 }, { b: 10 }, { b: 10 }]), { bucketMs: HOUR });
    expect(changeWindows(drift)).toMatchObject([{ fromMs: 2 * HOUR, description: 'a 100% → b 100%' }]);
    expect(changeWindows(drift)[0]!.toMs).toBeUndefined();
  });
});
