import type { TracerProvider } from '@opentelemetry/api';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import * as openai from 'openai';

/**
 * OpenInference's OpenAI instrumentation as its README sets it up for ESM: construct it, then
 * `manuallyInstrument` the `openai` module. Returns the (now patched) module and an uninstall.
 */
export function installOpenInferenceOpenAI(tracerProvider: TracerProvider) {
  const instrumentation = new OpenAIInstrumentation({ tracerProvider });
  instrumentation.manuallyInstrument(openai as unknown as Parameters<OpenAIInstrumentation['manuallyInstrument']>[0]);
  return { sdk: openai, uninstall: () => instrumentation.disable() };
}
