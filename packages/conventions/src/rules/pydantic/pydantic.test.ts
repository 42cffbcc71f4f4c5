import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveRoute } from '../../derive-route';
import type { RouteObservation } from '../../types';
import { parsePriceEstimate, pydantic } from './pydantic';

const FIXTURES = join(import.meta.dirname, '__fixtures__');

interface Recording {
  source: string;
  request: { url: string; body?: unknown };
  response: { status?: number; headers?: Record<string, string | string[]>; body?: unknown; body_raw?: string };
  expected: Record<string, unknown>;
}

function observationOf(recording: Recording): RouteObservation {
  const body = recording.request.body;
  const model = typeof body === 'object' && body !== null && 'model' in body ? (body as { model?: unknown }).model : undefined;
  return {
    url: recording.request.url,
    ...(typeof model === 'string' ? { requestModel: model } : {}),
    ...(recording.response.headers ? { responseHeaders: recording.response.headers } : {}),
    responseBody: recording.response.body_raw ?? recording.response.body,
    ...(recording.response.status ? { status: recording.response.status } : {}),
  };
}

const recordings = readdirSync(FIXTURES)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => [file, JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Recording] as const);

describe('pydantic rule on real recordings (pydantic-ai cassettes against a Pydantic AI Gateway)', () => {
  it('has its recordings', () => {
    expect(recordings.length).toBeGreaterThanOrEqual(6);
  });

  for (const [file, recording] of recordings) {
    it(`${file}: the whole attribution`, () => {
      expect(deriveRoute(observationOf(recording))).toEqual(recording.expected);
    });
  }
});

describe('pydantic rule signals', () => {
  const bedrock = recordings.find(([file]) => file.includes('bedrock'))![1];

  it('keeps the gateway as the system on a Bedrock-shaped route on its own host', () => {
    const attribution = deriveRoute(observationOf(bedrock));
    expect(attribution.system).toBe('pydantic');
    expect(attribution.gateway).toBe('pydantic');
  });

  it('names no upstream for a routing-group slug: it may fail over between providers', () => {
    const groq = recordings.find(([file]) => file.includes('groq'))![1];
    const observation = observationOf(groq);
    // The same relayed Groq body, but sent on a routing group: the x_groq fingerprint still names Groq.
    const viaGroup = deriveRoute({ ...observation, url: 'http://localhost:8787/fast-models/openai/v1/chat/completions' });
    expect(viaGroup.upstream).toBe('groq');
    // Without any fingerprint, a routing-group slug decides nothing.
    const bare = deriveRoute({
      url: 'https://gateway-us.pydantic.dev/proxy/anthropic-routing/v1/messages',
      responseHeaders: { 'pydantic-ai-gateway-price-estimate': '0.0001USD' },
      status: 200,
    });
    expect(bare.gateway).toBe('pydantic');
    expect(bare.upstream).toBeUndefined();
  });

  it('recognises the hosted gateway by its host alone', () => {
    expect(pydantic.matchesHost?.('gateway-us.pydantic.dev')).toBe(true);
    expect(pydantic.matchesHost?.('gateway-eu.pydantic.dev')).toBe(true);
    expect(pydantic.matchesHost?.('gateway.pydantic.info')).toBe(true);
    expect(pydantic.matchesHost?.('pydantic.dev')).toBe(false);
    expect(pydantic.matchesHost?.('gateway-us.pydantic.dev.evil.example')).toBe(false);
  });
});

describe('parsePriceEstimate', () => {
  it('reads the header as recorded', () => {
    expect(parsePriceEstimate('0.0002USD')).toBe(0.0002);
    expect(parsePriceEstimate('0.0001USD')).toBe(0.0001);
  });

  it('says nothing for a cost rounded to zero or for other currencies and shapes', () => {
    expect(parsePriceEstimate('0.0000USD')).toBeUndefined();
    expect(parsePriceEstimate('0.0002EUR')).toBeUndefined();
    expect(parsePriceEstimate('-1USD')).toBeUndefined();
    expect(parsePriceEstimate('NaNUSD')).toBeUndefined();
    expect(parsePriceEstimate(undefined)).toBeUndefined();
  });

  it('never throws and returns only positive finite numbers, on hostile input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 80 })), (value) => {
        const parsed = parsePriceEstimate(value);
        expect(parsed === undefined || (Number.isFinite(parsed) && parsed > 0)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('deriveRoute never throws on hostile Pydantic-shaped observations', () => {
    const segment = fc.oneof(
      fc.constantFrom('proxy', 'bedrock', 'model', 'converse', 'anthropic', 'constructor', '__proto__', '%E0%A4%A', '%2F'),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(
        fc.array(segment, { maxLength: 8 }),
        fc.string({ maxLength: 40 }),
        fc.option(fc.integer({ min: 100, max: 599 }), { nil: undefined }),
        (segments, price, status) => {
          const url = `https://gateway-us.pydantic.dev/${segments.map((s) => encodeURIComponent(s)).join('/')}`;
          const attribution = deriveRoute({
            url,
            responseHeaders: { 'pydantic-ai-gateway-price-estimate': price },
            ...(status ? { status } : {}),
          });
          expect(attribution.system).toBe('pydantic');
          for (const value of Object.values(attribution)) {
            const ok = ['string', 'number', 'boolean'].includes(typeof value) || Array.isArray(value);
            expect(ok).toBe(true);
          }
        },
      ),
      { numRuns: 20_000 },
    );
  });
});
