import type { TracerProvider } from '@opentelemetry/api';
import { OpenTelemetry } from '@ai-sdk/otel';
import { registerTelemetry } from 'ai';

/**
 * `@ai-sdk/otel` as the AI SDK 7 docs set it up: `registerTelemetry(new OpenTelemetry(...))`.
 * `providerMetadata: true` is the opt-in that puts `ai.response.providerMetadata` on spans; without
 * it no gateway's served-by signal reaches a span at all.
 */
export function installAiSdkOtel(tracerProvider: TracerProvider, options: { providerMetadata?: boolean } = {}) {
  const integration = new OpenTelemetry({ tracer: tracerProvider.getTracer('ai'), providerMetadata: options.providerMetadata ?? true });
  registerTelemetry(integration);
  return { integration, uninstall: () => registerTelemetry() };
}
