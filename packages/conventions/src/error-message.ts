/** Longest error message kept on a span. */
const MAX_ERROR_MESSAGE_LENGTH = 1024;

// A URL in free text: scheme, optional user info, the rest up to whitespace; query and fragment apart.
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)(?:[^\s/?#@]*@)?([^\s?#'"<>]*)(?:\?[^\s#'"<>]*)?(?:#[^\s'"<>]*)?/gi;

/**
 * An error message fit for a span (status message, exception event): every URL in it loses its
 * credentials (`user:pass@`), query string (Azure puts `api-key` there) and fragment, and the text
 * is cut to 1024 characters. `undefined` for no message. Never throws.
 *
 * @example
 * ```ts
 * scrubErrorMessage('Failed to fetch https://u:p@gw.example/v1/chat?api-key=K') // 'Failed to fetch https://gw.example/v1/chat'
 * ```
 */
export function scrubErrorMessage(message: unknown): string | undefined {
  if (typeof message !== 'string' || message.length === 0) return undefined;
  const bounded = message.length > 4 * MAX_ERROR_MESSAGE_LENGTH ? message.slice(0, 4 * MAX_ERROR_MESSAGE_LENGTH) : message;
  return bounded.replace(URL_IN_TEXT, '$1$2').slice(0, MAX_ERROR_MESSAGE_LENGTH);
}

/**
 * The message of a thrown value, scrubbed (see {@link scrubErrorMessage}); `undefined` when it
 * has none.
 */
export function errorMessageOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null) {
    try {
      return scrubErrorMessage((error as { message?: unknown }).message);
    } catch {
      return undefined;
    }
  }
  return typeof error === 'string' ? scrubErrorMessage(error) : undefined;
}

/**
 * What to hand `span.recordException`: the error's name, scrubbed message and scrubbed stack,
 * never the error itself (its message or stack may carry a URL with credentials).
 */
export function exceptionForSpan(error: unknown): { name: string; message?: string; stack?: string } {
  const name = typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string' ? (error as { name: string }).name : 'Error';
  const message = errorMessageOf(error);
  const rawStack = typeof error === 'object' && error !== null ? (error as { stack?: unknown }).stack : undefined;
  const stack = typeof rawStack === 'string' ? rawStack.replace(URL_IN_TEXT, '$1$2') : undefined;
  return { name, ...(message ? { message } : {}), ...(stack ? { stack } : {}) };
}
