import { diag, type Span } from '@opentelemetry/api';

const endHooks = new WeakMap<object, Array<() => void>>();

/**
 * Runs `hook` right before `span.end()`, whoever ends the span: for plugins whose route must win
 * over the attributes another instrumentation writes just before it ends a span it owns (the AI
 * SDK's `@ai-sdk/otel`, the aws-sdk instrumentation). The span object itself is patched, so every
 * holder of it sees the hook; hooks of one span run in the order they were added, and a hook that
 * throws is logged, never passed on.
 *
 * As the span ends it gets its class's own `end` back (or the `end` another instrumentation had
 * patched in before), so an ended span, which an exporter holds for a while, keeps nothing of the
 * hook. A patch another instrumentation made over this one is left in place.
 *
 * @example
 * ```ts
 * beforeSpanEnds(span, () => span.setAttributes(routeAttributes(attribution)));
 * ```
 */
export function beforeSpanEnds(span: Span, hook: () => void): void {
  try {
    const hooks = endHooks.get(span);
    if (hooks) {
      hooks.push(hook);
      return;
    }
    const registered = [hook];
    endHooks.set(span, registered);
    const originalEnd = span.end;
    const patchedOwnEnd = Object.prototype.hasOwnProperty.call(span, 'end');
    const endWithHooks = function (this: Span, endTime?: Parameters<Span['end']>[0]) {
      // Unhooked before the hooks run: a span that still held this closure (and its weak-map
      // entry) would carry it for as long as an exporter keeps the span.
      endHooks.delete(span);
      if (span.end === endWithHooks) {
        // Deleting the property added last gives the span back its class's shape.
        if (patchedOwnEnd) span.end = originalEnd;
        else delete (span as { end?: unknown }).end;
      }
      for (const registeredHook of registered.splice(0)) {
        try {
          registeredHook();
        } catch (error) {
          diag.warn('servedby: a before-end hook failed', error);
        }
      }
      return originalEnd.call(this, endTime);
    };
    span.end = endWithHooks;
  } catch (error) {
    diag.warn('servedby: could not hook span end', error);
  }
}
