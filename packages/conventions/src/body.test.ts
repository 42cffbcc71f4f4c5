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

// The SSE grammar the scanner follows (data lines joined by `\n`, one trailing `\r` dropped, a blank
// line ends an event, the last event needs no blank line), written the plain way: split every line.
function referenceSseObjects(text: string): Record<string, unknown>[] {
  const objects: Record<string, unknown>[] = [];
  let data: string[] = [];
  const flush = (): void => {
    if (data.length === 0) return;
    const payload = data.join('\n').trim();
    data = [];
    if (!payload.startsWith('{')) return;
    try {
      const parsed: unknown = JSON.parse(payload);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) objects.push(parsed as Record<string, unknown>);
    } catch {
      // Not JSON: no object.
    }
  };
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.length === 0) flush();
    else if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
  }
  flush();
  return objects;
}

describe('readBodyObjects: SSE scanning', () => {
  // Fewer than 8 objects and no `model`: the head scan reads the whole stream, so every event counts.
  const payload = fc.oneof(
    fc.dictionary(fc.constantFrom('id', 'provider', 'x', 'type'), fc.oneof(fc.string(), fc.integer())).map((value) => JSON.stringify(value)),
    fc.constantFrom('[DONE]', '[1,2]', '"text"', '{"id":', '"a"}', ' {"id":"padded"} ', '{bad json}', ''),
  );
  const line = fc.oneof(
    payload.map((value) => `data: ${value}`),
    payload.map((value) => `data:${value}`),
    fc.constantFrom(': OPENROUTER PROCESSING', 'event: message', 'id: 7', 'retry: 10', 'data', 'dat', ''),
  );
  const stream = fc
    .array(fc.tuple(fc.array(line, { maxLength: 3 }), fc.constantFrom('\n', '\r\n')), { maxLength: 8 })
    .map((events) => events.map(([lines, end]) => lines.map((item) => item + end).join('') + end).join(''));

  it('reads every event exactly as a line-splitting reader does, whatever the line endings and fields', () => {
    fc.assert(
      fc.property(stream, fc.boolean(), (text, cut) => {
        const body = ': comment\n' + (cut ? text.replace(/\r?\n$/, '') : text);
        const expected = referenceSseObjects(body);
        fc.pre(expected.length < 8);
        expect(readBodyObjects(body).objects).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
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
