import type { TracerProvider } from '@opentelemetry/api';
import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import * as callbackManager from '@langchain/core/callbacks/manager';

/** OpenInference's LangChain instrumentation, ESM set-up from its README: `manuallyInstrument(CallbackManagerModule)`. */
export function installOpenInferenceLangChain(tracerProvider: TracerProvider) {
  const instrumentation = new LangChainInstrumentation({ tracerProvider });
  instrumentation.manuallyInstrument(callbackManager);
  return { uninstall: () => instrumentation.disable() };
}
