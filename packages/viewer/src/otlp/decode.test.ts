import { InMemorySpanExporter, SimpleSpanProcessor, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';

const encodeOtlpJson = (spans: unknown) => Buffer.from(JsonTraceSerializer.serializeRequest(spans as never)!).toString('utf8');
import { decodeOtlpJson, decodeOtlpJsonLines } from './decode-json';
import { decodeOtlpProtobuf } from './decode-protobuf';

function recordSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'decode-test' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('decode-test-scope');
  {
    const agent = tracer.startSpan('invoke_agent support');
    const call = tracer.startSpan('chat gpt-4o', {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.route.gateway': 'openrouter',
        'gen_ai.route.upstream': 'together',
        'gen_ai.route.path': ['openrouter', 'together'],
        'gen_ai.usage.input_tokens': 120,
        'gen_ai.evaluation.score.value': 0.25,
        'gen_ai.route.fallback': true,
        'negative.int': -5,
      },
      links: [{ context: agent.spanContext(), attributes: { reason: 'scored' } }],
    }, trace.setSpan(ROOT_CONTEXT, agent));
    call.addEvent('gen_ai.evaluation.result', { 'gen_ai.evaluation.name': 'support' });
    call.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream failed' });
    call.end();
    agent.end();
  }
  const spans = exporter.getFinishedSpans();
  return { spans, agentContext: spans[1]!.spanContext(), callContext: spans[0]!.spanContext() };
}

describe('OTLP decoding', () => {
  for (const [format, decode] of [
    ['JSON', (spans: ReturnType<typeof recordSpans>['spans']) => decodeOtlpJson(JSON.parse(encodeOtlpJson(spans)))],
    ['protobuf', (spans: ReturnType<typeof recordSpans>['spans']) => decodeOtlpProtobuf(ProtobufTraceSerializer.serializeRequest(spans as never)!)],
  ] as const) {
    it(`reads back what the standard ${format} serializer wrote`, () => {
      const { spans, agentContext, callContext } = recordSpans();
      const records = decode(spans);
      expect(records).toHaveLength(2);
      const call = records.find((record) => record.name === 'chat gpt-4o')!;
      expect(call.traceId).toBe(callContext.traceId);
      expect(call.spanId).toBe(callContext.spanId);
      expect(call.parentSpanId).toBe(agentContext.spanId);
      expect(call.kind).toBe(3);
      expect(call.serviceName).toBe('decode-test');
      expect(call.scopeName).toBe('decode-test-scope');
      expect(call.statusCode).toBe(2);
      expect(call.statusMessage).toBe('upstream failed');
      expect(call.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.route.upstream': 'together',
        'gen_ai.route.path': ['openrouter', 'together'],
        'gen_ai.usage.input_tokens': 120,
        'gen_ai.evaluation.score.value': 0.25,
        'gen_ai.route.fallback': true,
        'negative.int': -5,
      });
      expect(call.links).toEqual([{ traceId: agentContext.traceId, spanId: agentContext.spanId, attributes: { reason: 'scored' } }]);
      expect(call.events[0]!.name).toBe('gen_ai.evaluation.result');
      expect(call.endMs).toBeGreaterThanOrEqual(call.startMs);
      expect(Math.abs(call.startMs - Date.now())).toBeLessThan(60_000);
      const agent = records.find((record) => record.name === 'invoke_agent support')!;
      expect(agent.parentSpanId).toBeUndefined();
    });
  }

  it('accepts base64 ids and enum names, and skips a truncated line of a JSON-lines file', () => {
    const line = JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'other' } }] },
          scopeSpans: [
            {
              scope: { name: 's' },
              spans: [
                {
                  traceId: Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex').toString('base64'),
                  spanId: Buffer.from('b7ad6b7169203331', 'hex').toString('base64'),
                  name: 'chat',
                  kind: 'SPAN_KIND_CLIENT',
                  startTimeUnixNano: '1780000000123456789',
                  endTimeUnixNano: '1780000001123456789',
                  status: { code: 'STATUS_CODE_OK' },
                  attributes: [{ key: 'n', value: { intValue: '7' } }],
                },
              ],
            },
          ],
        },
      ],
    });
    const records = decodeOtlpJsonLines(`${line}\n\n{"resourceSpans": [`);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      kind: 3,
      statusCode: 1,
      serviceName: 'other',
      attributes: { n: 7 },
    });
    expect(records[0]!.startMs).toBeCloseTo(1780000000123.4568, 3);
  });

  it('rejects a malformed protobuf body', () => {
    expect(() => decodeOtlpProtobuf(new Uint8Array([0x0a, 0xff, 0xff, 0x01]))).toThrow();
  });
});
