import { Mastra } from '@mastra/core';
import { Agent } from '@mastra/core/agent';
import { Observability } from '@mastra/observability';
import { OtelBridge } from '@mastra/otel-bridge';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { routeSpanProcessor } from '@servedby/mastra';

// OpenTelemetry SDK first: spans go to OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318).
const sdk = new NodeSDK();
sdk.start();

// Mastra's model router reads OPENROUTER_API_KEY (and OPENROUTER_BASE_URL when set).
const supportAgent = new Agent({
  id: 'support',
  name: 'support',
  instructions: 'Answer in one sentence.',
  model: 'openrouter/anthropic/claude-sonnet-4',
});

export const mastra = new Mastra({
  agents: { supportAgent },
  observability: new Observability({ // must be an instance: a plain object silently disables tracing
    configs: { default: { serviceName: 'app', bridge: new OtelBridge(), spanOutputProcessors: [routeSpanProcessor()] } },
  }),
});

const result = await mastra.getAgent('supportAgent').generate('Where is my order?');
console.log(result.text); // span "chat anthropic/claude-sonnet-4": gateway openrouter, upstream e.g. together

await mastra.observability.getDefaultInstance()?.flush();
await sdk.shutdown(); // flushes the spans before the process exits
