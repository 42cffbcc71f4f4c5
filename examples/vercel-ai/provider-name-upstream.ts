import { createOpenAI } from '@ai-sdk/openai';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { routeMiddleware } from '@servedby/vercel-ai/middleware';
import { generateText, wrapLanguageModel } from 'ai';

// OpenTelemetry SDK: spans go to OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318).
const sdk = new NodeSDK();
sdk.start();

const openrouter = createOpenAI({
  baseURL: process.env.OPENROUTER_BASE_URL ?? 'https://openrouter.ai/api/v1',
  apiKey: process.env.OPENROUTER_API_KEY,
});

// For backends whose provider views read gen_ai.provider.name: the upstream goes there when known,
// the gateway stays in gen_ai.route.gateway.
const model = wrapLanguageModel({
  model: openrouter.chat('anthropic/claude-sonnet-4.5'),
  middleware: routeMiddleware({ providerName: 'upstream' }),
});
const { text } = await generateText({ model, prompt: 'Hi' });
console.log(text); // span "chat anthropic/claude-sonnet-4.5": gen_ai.provider.name together, gen_ai.route.gateway openrouter

await sdk.shutdown(); // flushes the spans before the process exits
