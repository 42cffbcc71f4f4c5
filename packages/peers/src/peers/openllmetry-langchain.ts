import type { TracerProvider } from '@opentelemetry/api';
import { LangChainInstrumentation } from '@traceloop/instrumentation-langchain';
import * as callbackManager from '@langchain/core/callbacks/manager';

/** OpenLLMetry's LangChain instrumentation: `manuallyInstrument({ callbackManagerModule })` as `traceloop.initialize({ instrumentModules: { langchain } })` does. */
export function installOpenLLMetryLangChain(tracerProvider: TracerProvider) {
  const instrumentation = new LangChainInstrumentation();
  instrumentation.setTracerProvider(tracerProvider);
  instrumentation.manuallyInstrument({ callbackManagerModule: callbackManager });
  return { uninstall: () => instrumentation.disable() };
}
