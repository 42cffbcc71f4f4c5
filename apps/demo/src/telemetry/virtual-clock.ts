import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * The demo plays a day in under a minute: each scenario tick stands for a slice of virtual time.
 * Spans keep their real durations but are moved to the virtual time of the tick they started in.
 */
export interface VirtualClock {
  /** Virtual epoch ms of the start of the scenario. */
  readonly startMs: number;
  /** Virtual length of one tick in ms. */
  readonly tickMs: number;
  /** Marks the start of tick `index`: spans started from now on are shifted into its slice. */
  beginTick(index: number): void;
  /** The shift (virtual − real, ms) that applies to spans starting now. */
  currentOffsetMs(): number;
  /** Virtual epoch ms of the start of tick `index`. */
  tickStartMs(index: number): number;
}

/** Creates a virtual clock whose tick 0 starts at `startMs` (virtual). */
export function createVirtualClock(options: { startMs: number; tickMs: number }): VirtualClock {
  let offsetMs = 0;
  return {
    startMs: options.startMs,
    tickMs: options.tickMs,
    beginTick(index) {
      offsetMs = options.startMs + index * options.tickMs - Date.now();
    },
    currentOffsetMs: () => offsetMs,
    tickStartMs: (index) => options.startMs + index * options.tickMs,
  };
}

type HrTime = [number, number];

function shift(time: HrTime, offsetMs: number): HrTime {
  const totalNanos = BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]) + BigInt(Math.round(offsetMs * 1e6));
  return [Number(totalNanos / 1_000_000_000n), Number(totalNanos % 1_000_000_000n)];
}

/**
 * A span processor that moves each span to virtual time before handing it to `processors`.
 * The shift is fixed when the span starts, so a span keeps its tick even if it ends after the next
 * tick began. The span itself is not changed: the downstream processors get a shifted view of it.
 */
export function createVirtualTimeProcessor(clock: VirtualClock, processors: SpanProcessor[]): SpanProcessor {
  const offsets = new WeakMap<object, number>();
  return {
    onStart(span: Span, parentContext: Context) {
      offsets.set(span, clock.currentOffsetMs());
      for (const processor of processors) processor.onStart(span, parentContext);
    },
    onEnd(span: ReadableSpan) {
      const offsetMs = offsets.get(span) ?? 0;
      const view = Object.create(span, {
        startTime: { value: shift(span.startTime as HrTime, offsetMs) },
        endTime: { value: shift(span.endTime as HrTime, offsetMs) },
        events: {
          value: span.events.map((event) => ({ ...event, time: shift(event.time as HrTime, offsetMs) })),
        },
      }) as ReadableSpan;
      for (const processor of processors) processor.onEnd(view);
    },
    forceFlush: async () => {
      await Promise.all(processors.map((processor) => processor.forceFlush()));
    },
    shutdown: async () => {
      await Promise.all(processors.map((processor) => processor.shutdown()));
    },
  };
}
