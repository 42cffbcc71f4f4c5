import { OpenTelemetry } from '@ai-sdk/otel';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { createOpenRouter } from '@openrouter/ai-sdk-provider';
import { RouteSpanProcessor } from '@servedby/conventions';
import { generateText, registerTelemetry } from 'ai';

// The route processor runs before the exporter's processor, so exported spans carry the route.
const sdk = new NodeSDK({
  spanProcessors: [new RouteSpanProcessor(), new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })],
});
sdk.start();

// Spans another instrumentation makes (here the AI SDK's own) get the route from what they carry.
registerTelemetry(new OpenTelemetry({ providerMetadata: true }));
const openrouter = createOpenRouter({
  baseURL: process.env.OPENROUTER_BASE_URL ?? 'https://openrouter.ai/api/v1',
  apiKey: process.env.OPENROUTER_API_KEY,
});
const { text } = await generateText({ model: openrouter.chat('anthropic/claude-sonnet-4.5'), prompt: 'Hi' });
console.log(text); // the AI SDK's span "chat anthropic/claude-sonnet-4.5" gets gateway openrouter, upstream e.g. together

await sdk.shutdown(); // flushes the spans before the process exits
