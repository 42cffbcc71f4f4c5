import { trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { deriveRoute, routeAttributes } from '@servedby/conventions';

// OpenTelemetry SDK: spans go to OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318).
const sdk = new NodeSDK();
sdk.start();

const baseUrl = process.env.OPENROUTER_BASE_URL ?? 'https://openrouter.ai/api/v1';
const requestModel = 'anthropic/claude-haiku-4.5';

await trace.getTracer('my-app').startActiveSpan(`chat ${requestModel}`, async (span) => {
  const response = await fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${process.env.OPENROUTER_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: requestModel, messages: [{ role: 'user', content: 'Hello' }] }),
  });
  const attribution = deriveRoute({
    url: `${baseUrl}/chat/completions`,
    requestModel,
    responseHeaders: response.headers,
    responseBody: await response.text(), // JSON, or raw SSE text
  });
  span.setAttributes(routeAttributes(attribution));
  console.log(attribution.gateway, attribution.upstream); // openrouter, e.g. together
  span.end();
});

await sdk.shutdown(); // flushes the spans before the process exits
