import { createOpenAI } from '@ai-sdk/openai';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { routeTelemetry } from '@servedby/vercel-ai/telemetry';
import { generateText, registerTelemetry } from 'ai';

// OpenTelemetry SDK: spans go to OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318).
const sdk = new NodeSDK();
sdk.start();

// ai 7: instead of registerTelemetry(new OpenTelemetry())
registerTelemetry(routeTelemetry({ openTelemetry: { agentSpanName: 'functionId' } }));

const openrouter = createOpenAI({
  baseURL: process.env.OPENROUTER_BASE_URL ?? 'https://openrouter.ai/api/v1',
  apiKey: process.env.OPENROUTER_API_KEY,
});
const { text } = await generateText({ model: openrouter.chat('anthropic/claude-sonnet-4.5'), prompt: 'Hi' });
console.log(text); // span "chat anthropic/claude-sonnet-4.5": gateway openrouter, upstream e.g. together

await sdk.shutdown(); // flushes the spans before the process exits
