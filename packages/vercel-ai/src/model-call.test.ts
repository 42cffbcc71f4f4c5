import { describe, expect, it, vi } from 'vitest';
import { errorTypeOf } from '@servedby/conventions';
import { errorTypeOfFinishReason, toFinishReason, toTokenUsage, withoutSecrets } from './model-call';
import { observeStream } from './route-middleware';

describe('toTokenUsage', () => {
  it('reads the flat v2 usage of ai 5', () => {
    expect(toTokenUsage({ inputTokens: 10, outputTokens: 4, reasoningTokens: 2, cachedInputTokens: 3 })).toEqual({
      inputTokens: 10,
      outputTokens: 4,
      reasoningTokens: 2,
      cacheReadInputTokens: 3,
      cacheCreationInputTokens: undefined,
    });
  });

  it('reads the nested v3/v4 usage of ai 6 and 7 providers', () => {
    expect(
      toTokenUsage({
        inputTokens: { total: 12, noCache: 2, cacheRead: 8, cacheWrite: 2 },
        outputTokens: { total: 5, text: 3, reasoning: 2 },
      }),
    ).toEqual({ inputTokens: 12, outputTokens: 5, cacheReadInputTokens: 8, cacheCreationInputTokens: 2, reasoningTokens: 2 });
  });

  it("reads ai 7's normalised usage with token details", () => {
    expect(
      toTokenUsage({
        inputTokens: 12,
        outputTokens: 5,
        inputTokenDetails: { cacheReadTokens: 8, cacheWriteTokens: 1 },
        outputTokenDetails: { reasoningTokens: 2 },
      }),
    ).toMatchObject({ inputTokens: 12, outputTokens: 5, cacheReadInputTokens: 8, cacheCreationInputTokens: 1, reasoningTokens: 2 });
  });

  it('ignores what is not usage', () => {
    expect(toTokenUsage(undefined)).toBeUndefined();
    expect(toTokenUsage({ inputTokens: -1, outputTokens: Number.NaN })).toMatchObject({ inputTokens: undefined, outputTokens: undefined });
  });
});

describe('finish reasons and error types', () => {
  it('reads v2 strings and v3/v4 objects', () => {
    expect(toFinishReason('stop')).toBe('stop');
    expect(toFinishReason({ unified: 'tool-calls', raw: 'tool_calls' })).toBe('tool-calls');
    expect(toFinishReason(42)).toBeUndefined();
  });

  it('names HTTP failures by status, other errors by class', () => {
    expect(errorTypeOf({ name: 'AI_APICallError', statusCode: 429 })).toBe('429');
    expect(errorTypeOf(new TypeError('fetch failed'))).toBe('TypeError');
    expect(errorTypeOf(new Error('plain'))).toBe('_OTHER');
    expect(errorTypeOf('a string')).toBe('_OTHER');
    expect(errorTypeOfFinishReason('interrupted')).toBe('interrupted');
    expect(errorTypeOfFinishReason('stop')).toBeUndefined();
  });
});

describe('withoutSecrets', () => {
  it('drops query strings (Azure api keys), fragments and credentials', () => {
    expect(withoutSecrets('https://user:pass@res.openai.azure.com/openai/v1/chat?api-key=secret&api-version=v1#x')).toBe(
      'https://res.openai.azure.com/openai/v1/chat',
    );
    expect(withoutSecrets('not a url')).toBeUndefined();
  });
});

describe('observeStream', () => {
  function countingSource(parts: Array<Record<string, unknown>>) {
    let pulls = 0;
    let cancelled: unknown;
    const stream = new ReadableStream<Record<string, unknown>>(
      {
        pull(controller) {
          const part = parts[pulls++];
          if (part) controller.enqueue(part);
          else controller.close();
        },
        cancel(reason) {
          cancelled = reason ?? 'cancelled';
        },
      },
      { highWaterMark: 0 },
    );
    return { stream, pulls: () => pulls, cancelled: () => cancelled };
  }

  it('reads at most one part ahead of the caller and hands every part on in order', async () => {
    const source = countingSource([{ type: 'text-delta' }, { type: 'text-delta' }, { type: 'finish' }]);
    const seen: string[] = [];
    const observed = observeStream(source.stream, {
      onPart: (part) => void seen.push(String(part.type)),
      onEnd: () => void seen.push('end'),
      onError: () => {},
      onCancel: () => {},
    });
    const reader = observed.getReader();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(source.pulls()).toBeLessThanOrEqual(1);
    await reader.read();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(source.pulls()).toBeLessThanOrEqual(2);
    await reader.read();
    await reader.read();
    expect((await reader.read()).done).toBe(true);
    expect(seen).toEqual(['text-delta', 'text-delta', 'finish', 'end']);
  });

  it('passes a cancel on to the source and tells the observer', async () => {
    const source = countingSource([{ type: 'text-delta' }, { type: 'text-delta' }]);
    let cancelledSeen = false;
    const observed = observeStream(source.stream, {
      onPart: () => {},
      onEnd: () => {},
      onError: () => {},
      onCancel: () => void (cancelledSeen = true),
    });
    const reader = observed.getReader();
    await reader.read();
    await reader.cancel('caller left');
    expect(cancelledSeen).toBe(true);
    // The pipe forwards the cancel to the source on a later tick.
    await vi.waitFor(() => expect(source.cancelled()).toBe('caller left'));
  });

  it('removes skipped parts but still observes them, and survives a throwing observer', async () => {
    const source = countingSource([{ type: 'raw', rawValue: { provider: 'Together' } }, { type: 'text-delta' }]);
    const raws: unknown[] = [];
    const observed = observeStream(source.stream, {
      onPart: (part) => {
        if (part.type === 'raw') raws.push(part.rawValue);
        throw new Error('observer bug');
      },
      skip: (part) => part.type === 'raw',
      onEnd: () => {},
      onError: () => {},
      onCancel: () => {},
    });
    const parts: unknown[] = [];
    for await (const part of observed as unknown as AsyncIterable<unknown>) parts.push(part);
    expect(parts).toEqual([{ type: 'text-delta' }]);
    expect(raws).toEqual([{ provider: 'Together' }]);
  });
});
