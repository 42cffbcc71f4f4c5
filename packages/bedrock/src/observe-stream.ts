import { diag } from '@opentelemetry/api';

/** What a stream observer hears about one response stream. */
export interface StreamObserver<Item> {
  /** Every item, as the caller receives it. Must be cheap and must not throw (errors are caught). */
  onItem(item: Item): void;
  /** The stream ran to its end. */
  onEnd(): void;
  /** Reading the stream failed (mid-stream exception, abort). */
  onError(error: unknown): void;
  /** The caller stopped reading early (`break`, `return()`, an exception in the loop body). */
  onAbandon(): void;
}

function safely(action: () => void): void {
  try {
    action();
  } catch (error) {
    diag.error('@servedby/bedrock: stream observer failed', error);
  }
}

/**
 * Wraps an async iterable so the observer sees each item and exactly one of end, error or
 * abandon. Items pass through one at a time, unbuffered, so time to first chunk is unchanged;
 * the source's own errors reach the caller untouched.
 */
export function observeAsyncIterable<Item>(
  source: AsyncIterable<Item>,
  observer: StreamObserver<Item>,
): AsyncIterable<Item> {
  let iterator: AsyncIterator<Item> | undefined;
  let settled = false;
  const settle = (action: () => void) => {
    if (settled) return;
    settled = true;
    safely(action);
  };
  const sourceIterator = (): AsyncIterator<Item> => {
    iterator ??= source[Symbol.asyncIterator]();
    return iterator;
  };

  const observed: AsyncIterableIterator<Item> = {
    [Symbol.asyncIterator]() {
      return observed;
    },
    async next() {
      let result: IteratorResult<Item>;
      try {
        result = await sourceIterator().next();
      } catch (error) {
        settle(() => observer.onError(error));
        throw error;
      }
      if (result.done) settle(() => observer.onEnd());
      else if (!settled) safely(() => observer.onItem(result.value));
      return result;
    },
    async return(value?: unknown) {
      settle(() => observer.onAbandon());
      const current = sourceIterator();
      if (typeof current.return === 'function') return current.return(value);
      return { done: true, value: value as Item };
    },
    async throw(error?: unknown) {
      settle(() => observer.onError(error));
      const current = sourceIterator();
      if (typeof current.throw === 'function') return current.throw(error);
      throw error;
    },
  };
  return observed;
}
