import { ChatOpenAI } from '@langchain/openai';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { registerRouteCallbacks } from '@servedby/langchain';

// OpenTelemetry SDK: spans go to OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318).
const sdk = new NodeSDK();
sdk.start();

registerRouteCallbacks(); // every LangChain run from here on (or pass createRouteCallbackHandler() in `callbacks`)

const model = new ChatOpenAI({
  model: 'anthropic/claude-sonnet-4',
  apiKey: process.env.OPENROUTER_API_KEY,
  configuration: { baseURL: process.env.OPENROUTER_BASE_URL ?? 'https://openrouter.ai/api/v1' },
});
const answer = await model.invoke('Hello');
console.log(answer.text); // span "chat anthropic/claude-sonnet-4": gateway openrouter, upstream e.g. together

await sdk.shutdown(); // flushes the spans before the process exits
