import { describe, expect, it } from 'vitest';
import { observeAsyncIterable, type StreamObserver } from './observe-stream';

function recorder() {
  const events: string[] = [];
  const observer: StreamObserver<number> = {
    onItem: (item) => events.push(`item:${item}`),
    onEnd: () => events.push('end'),
    onError: (error) => events.push(`error:${(error as Error).message}`),
    onAbandon: () => events.push('abandon'),
  };
  return { events, observer };
}

async function* numbers(count: number, failAt?: number) {
  for (let index = 0; index < count; index += 1) {
    if (index === failAt) throw new Error('boom');
    yield index;
  }
}

describe('observeAsyncIterable', () => {
  it('passes every item through and reports the end once', async () => {
    const { events, observer } = recorder();
    const seen: number[] = [];
    for await (const item of observeAsyncIterable(numbers(3), observer)) seen.push(item);
    expect(seen).toEqual([0, 1, 2]);
    expect(events).toEqual(['item:0', 'item:1', 'item:2', 'end']);
  });

  it('reports an abandon when the caller breaks out, and closes the source', async () => {
    const { events, observer } = recorder();
    let sourceClosed = false;
    async function* source() {
      try {
        yield 1;
        yield 2;
      } finally {
        sourceClosed = true;
      }
    }
    for await (const _item of observeAsyncIterable(source(), observer)) break;
    expect(events).toEqual(['item:1', 'abandon']);
    expect(sourceClosed).toBe(true);
  });

  it('rethrows the source error unchanged after reporting it', async () => {
    const { events, observer } = recorder();
    const read = async () => {
      for await (const _item of observeAsyncIterable(numbers(3, 1), observer)) void _item;
    };
    await expect(read()).rejects.toThrow('boom');
    expect(events).toEqual(['item:0', 'error:boom']);
  });

  it('survives an observer that throws', async () => {
    const throwing: StreamObserver<number> = {
      onItem: () => {
        throw new Error('observer bug');
      },
      onEnd: () => {
        throw new Error('observer bug');
      },
      onError: () => {},
      onAbandon: () => {},
    };
    const seen: number[] = [];
    for await (const item of observeAsyncIterable(numbers(2), throwing)) seen.push(item);
    expect(seen).toEqual([0, 1]);
  });

  it('does not pull from the source before the caller asks', async () => {
    let pulled = 0;
    const source: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          pulled += 1;
          return { done: false, value: pulled };
        },
      }),
    };
    const observed = observeAsyncIterable(source, recorder().observer);
    expect(pulled).toBe(0);
    const iterator = observed[Symbol.asyncIterator]();
    await iterator.next();
    expect(pulled).toBe(1);
    await iterator.return?.();
  });
});
