import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGatewaySim } from '@servedby/gateway-sim';
import OpenAI from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeOtlpJsonLines } from '../otlp/decode-json';
import type { SpanRecord } from '../otlp/span-record';
import { startGatewayTraceReceiver } from './gateway-traces';

const directory = mkdtempSync(join(tmpdir(), 'servedby-gateway-traces-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('the demo\'s receiver of the gateway\'s own spans', () => {
  it('takes gateway-sim\'s Broadcast export, moves it onto the virtual clock, hands it to the viewer and the file', async () => {
    const outFile = join(directory, 'spans.jsonl');
    writeFileSync(outFile, '');
    const received: SpanRecord[] = [];
    const shift = 24 * 3_600_000;
    const receiver = await startGatewayTraceReceiver({ offsetAt: () => -shift, onSpans: (spans) => received.push(...spans), outFile });
    const sim = await startGatewaySim({ port: 0, otlpEndpoint: receiver.url });
    try {
      const client = new OpenAI({ apiKey: 'x', baseURL: sim.baseUrls.openrouter, maxRetries: 0 });
      const before = Date.now();
      await client.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
      await sim.flushTraces();
      expect(received.map((span) => span.name)).toEqual(['LLM Generation', 'provider attempt 1: OpenAI']);
      expect(received.every((span) => span.serviceName === 'openrouter')).toBe(true);
      // Wall-clock spans moved back by the shift in force when they started.
      for (const span of received) {
        expect(span.startMs).toBeGreaterThanOrEqual(before - shift - 1);
        expect(span.startMs).toBeLessThan(Date.now() - shift + 1);
      }
      expect(receiver.received()).toBe(2);
      expect(decodeOtlpJsonLines(readFileSync(outFile, 'utf8')).map((span) => span.spanId)).toEqual(received.map((span) => span.spanId));
    } finally {
      await sim.close();
      await receiver.close();
    }
  });

  it('answers what is not an OTLP JSON POST without crashing', async () => {
    const receiver = await startGatewayTraceReceiver({ offsetAt: () => 0 });
    try {
      expect((await fetch(`${receiver.url}/v1/traces`)).status).toBe(405);
      expect((await fetch(`${receiver.url}/v1/traces`, { method: 'POST', body: '{not json' })).status).toBe(400);
      expect((await fetch(`${receiver.url}/v1/traces`, { method: 'POST', body: '{}' })).status).toBe(200);
      expect(receiver.received()).toBe(0);
    } finally {
      await receiver.close();
    }
  });
});
