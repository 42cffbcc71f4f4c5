// #region one-line
import '@servedby/conventions/register'; // or: node --import @servedby/conventions/register app.js
// #endregion
import { NodeSDK } from '@opentelemetry/sdk-node';
import OpenAI from 'openai';

// OpenTelemetry SDK: spans go to OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318).
const sdk = new NodeSDK();
sdk.start();

// Any client on fetch, no option to pass: the capture observes its HTTP exchanges.
const client = new OpenAI({
  baseURL: process.env.OPENROUTER_BASE_URL ?? 'https://openrouter.ai/api/v1',
  apiKey: process.env.OPENROUTER_API_KEY,
});
const completion = await client.chat.completions.create({
  model: 'anthropic/claude-haiku-4.5',
  messages: [{ role: 'user', content: 'Hello' }],
});
console.log(completion.choices[0]?.message.content); // span "chat anthropic/claude-haiku-4.5": gateway openrouter, upstream e.g. together

await sdk.shutdown(); // flushes the spans before the process exits
