import { createOpenAI } from '@ai-sdk/openai';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { routeTelemetry } from '@servedby/vercel-ai/telemetry';
import { registerTelemetry, streamText } from 'ai';

// OpenTelemetry SDK: spans go to OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318).
const sdk = new NodeSDK();
sdk.start();

// ai 7: one line, generateText and streamText alike
registerTelemetry(routeTelemetry({ openTelemetry: { agentSpanName: 'functionId' } }));

const openrouter = createOpenAI({
  baseURL: process.env.OPENROUTER_BASE_URL ?? 'https://openrouter.ai/api/v1',
  apiKey: process.env.OPENROUTER_API_KEY,
});
const result = streamText({ model: openrouter.chat('anthropic/claude-sonnet-4.5'), prompt: 'Hi' });
let text = '';
for await (const chunk of result.textStream) text += chunk; // streamed as it arrives, never buffered
console.log(text); // span "chat anthropic/claude-sonnet-4.5": gateway openrouter, upstream e.g. together

await sdk.shutdown(); // flushes the spans before the process exits
