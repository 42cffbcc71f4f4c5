import type { TracerProvider } from '@opentelemetry/api';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';

/**
 * The response headers that carry a served-by signal or fingerprint (DESIGN §2.4), for
 * `@opentelemetry/instrumentation-undici`'s `headersToSpanAttributes.responseHeaders`. None of
 * them is a credential.
 */
export const ROUTE_RESPONSE_HEADERS = [
  'x-generation-id',
  'x-litellm-model-name',
  'x-litellm-model-id',
  'x-litellm-model-api-base',
  'x-litellm-call-id',
  'x-litellm-attempted-fallbacks',
  'x-litellm-response-cost',
  'x-ms-served-model',
  'x-ms-region',
  'apim-request-id',
  'x-ms-deployment-name',
  'openai-organization',
  'x-request-id',
  'x-amzn-requestid',
  'request-id',
  'anthropic-organization-id',
  'x-portkey-provider',
  'cf-aig-log-id',
];

/** `@opentelemetry/instrumentation-undici` (Node's fetch) with the route headers captured as `http.response.header.*`. */
export function installUndici(tracerProvider: TracerProvider) {
  const instrumentation = new UndiciInstrumentation({ headersToSpanAttributes: { responseHeaders: ROUTE_RESPONSE_HEADERS } });
  instrumentation.setTracerProvider(tracerProvider);
  instrumentation.enable();
  return { uninstall: () => instrumentation.disable() };
}
