import type { Span } from '@opentelemetry/api';

const AWS_SDK_INSTRUMENTATION_SCOPE = '@opentelemetry/instrumentation-aws-sdk';

interface ScopedSpan {
  /** SDK 2.x `SpanImpl`. */
  instrumentationScope?: { name?: string };
  /** SDK 1.x `Span`. */
  instrumentationLibrary?: { name?: string };
  attributes?: Record<string, unknown>;
}

/**
 * True when `span` is the one `@opentelemetry/instrumentation-aws-sdk` opened for the command
 * now running: that instrumentation wraps the whole middleware stack and makes its span
 * active, so servedby enriches it rather than nesting a second span for the same call.
 * The API has no accessor for a span's scope, so this reads the SDK span's public fields.
 */
export function isAwsSdkInstrumentationSpan(span: Span, commandName: string): boolean {
  const scoped = span as unknown as ScopedSpan;
  const scopeName = scoped.instrumentationScope?.name ?? scoped.instrumentationLibrary?.name;
  if (scopeName !== AWS_SDK_INSTRUMENTATION_SCOPE) return false;
  // A Bedrock call nested inside another AWS call's span (a Lambda handler, say) must not claim it.
  const attributes = scoped.attributes;
  return attributes === undefined || attributes['rpc.method'] === undefined || attributes['rpc.method'] === commandName;
}
