import type { TracerProvider } from '@opentelemetry/api';
import { OpenAIInstrumentation } from '@traceloop/instrumentation-openai';
import * as openai from 'openai';

/**
 * OpenLLMetry's OpenAI instrumentation the way `@traceloop/node-server-sdk` does it with
 * `instrumentModules: { openAI: OpenAI }`: `manuallyInstrument(OpenAI)` (its module hook only
 * covers `openai` <7). Content capture stays at its default (on), as a new user gets it.
 */
export function installOpenLLMetryOpenAI(tracerProvider: TracerProvider) {
  const instrumentation = new OpenAIInstrumentation();
  instrumentation.setTracerProvider(tracerProvider);
  instrumentation.manuallyInstrument(openai.OpenAI);
  return { sdk: openai, uninstall: () => instrumentation.disable() };
}
