import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readBodyFacts, readBodyObjects } from './body';

describe('readBodyObjects', () => {
  it('reads JSON text, with keep-alive whitespace, as the object it holds', () => {
    expect(readBodyObjects('\n \t{"id":"gen-1","provider":"Groq"}')).toEqual({
      objects: [{ id: 'gen-1', provider: 'Groq' }],
      format: 'json',
    });
    expect(readBodyObjects('[{"id":"a"},2,{"id":"b"}]')).toEqual({ objects: [{ id: 'a' }, { id: 'b' }], format: 'object' });
  });

  it('finds nothing in text that is not a JSON object or array', () => {
    for (const text of ['<html>502 Bad Gateway</html>', 'upstream timed out', '42', '"text"', 'true', 'null', '\ufeff{"id":"x"']) {
      const { objects } = readBodyObjects(text);
      if (text.startsWith('\ufeff')) expect(objects).toEqual([{ id: 'x' }]);
      else expect(objects).toEqual([]);
    }
  });

  it('reads the JSON any value stringifies to exactly as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const parsed = JSON.parse(JSON.stringify(value)) as unknown;
        const { objects } = readBodyObjects(JSON.stringify(value));
        if (Array.isArray(parsed)) {
          expect(objects).toEqual(parsed.filter((item) => typeof item === 'object' && item !== null && !Array.isArray(item)));
        } else if (typeof parsed === 'object' && parsed !== null) {
          expect(objects).toEqual([parsed]);
        } else {
          expect(objects).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps only object payloads of SSE events, skipping comments, [DONE] and arrays', () => {
    const sse = ': OPENROUTER PROCESSING\n\ndata: {"id":"gen-1"}\n\ndata: [1,2]\n\ndata: "text"\n\ndata: {"id":\ndata: "gen-2"}\n\ndata: [DONE]\n\n';
    expect(readBodyObjects(sse)).toEqual({ objects: [{ id: 'gen-1' }, { id: 'gen-2' }], format: 'sse' });
  });

  it('decodes byte bodies, call after call', () => {
    const bytes = new TextEncoder().encode('{"model":"grök"}');
    expect(readBodyObjects(bytes).objects).toEqual([{ model: 'grök' }]);
    expect(readBodyObjects(bytes.buffer).objects).toEqual([{ model: 'grök' }]);
  });
});

describe('readBodyFacts', () => {
  it('reads wrapped Anthropic and Responses messages, and lets the last gateway metadata win', () => {
    const sse = [
      'event: message_start',
      'data: {"type":"message_start","message":{"type":"message","id":"msg_bdrk_01","model":"claude-haiku-4-5","usage":{"inference_geo":"us"}}}',
      '',
      'data: {"type":"response.created","response":{"id":"resp_1","model":"gpt-5"}}',
      '',
      'data: {"choices":[{"delta":{"provider_metadata":{"gateway":{"routing":{"finalProvider":"bedrock"}}}}}]}',
      '',
      'data: {"choices":[{"delta":{}}],"provider_metadata":{"gateway":{"routing":{"finalProvider":"anthropic"}}},"x_groq":{"id":"x"}}',
      '',
    ].join('\n');
    expect(readBodyFacts(sse)).toEqual({
      format: 'sse',
      anthropicShaped: true,
      anthropicMessageId: 'msg_bdrk_01',
      id: 'msg_bdrk_01',
      model: 'claude-haiku-4-5',
      inferenceGeo: 'us',
      gatewayMetadata: { routing: { finalProvider: 'anthropic' } },
      groq: true,
    });
  });
});

describe('readBodyFacts: Bifrost extra_fields (source only: maximhq/bifrost core/schemas/bifrost.go)', () => {
  it('source-only: reads provider, resolved model, cache hit and its own error flag', () => {
    const facts = readBodyFacts({
      id: 'x',
      is_bifrost_error: true,
      extra_fields: { request_type: 'chat_completion', provider: 'openai', resolved_model_used: 'gpt-4o-2024-08-06', latency: 12, cache_debug: { cache_hit: true } },
    });
    expect(facts.bifrost).toEqual({ provider: 'openai', resolvedModel: 'gpt-4o-2024-08-06', cacheHit: true, ownError: true });
    expect(readBodyFacts({ extra_fields: { provider: 'openai' } }).bifrost).toBeUndefined();
  });
});
