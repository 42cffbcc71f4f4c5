import type { TracerProvider } from '@opentelemetry/api';
import { CallbackHandler } from '@langfuse/langchain';
import { setLangfuseTracerProvider } from '@langfuse/tracing';

/**
 * Langfuse's LangChain `CallbackHandler`, passed in `callbacks` as its docs show. Langfuse's docs
 * register `LangfuseSpanProcessor` (an OTLP exporter to Langfuse) on the provider; here its spans
 * go to the shared in-memory provider through `setLangfuseTracerProvider` instead.
 */
export function installLangfuseLangChain(tracerProvider: TracerProvider) {
  setLangfuseTracerProvider(tracerProvider);
  return { handler: new CallbackHandler(), uninstall: () => setLangfuseTracerProvider(null) };
}
