import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText, type Telemetry } from 'ai';
import { type ChatRoute, TEST_API_KEY } from '../testing/routes';
import { readStream } from './read-stream';

/** An AI SDK 7 chat model (`@ai-sdk/openai`, chat completions) for one OpenAI-compatible gateway-sim route. */
export function aiSdkModel(route: ChatRoute, fetch?: typeof globalThis.fetch) {
  return createOpenAI({ baseURL: route.baseURL, apiKey: TEST_API_KEY, headers: route.headers, ...(fetch ? { fetch } : {}) }).chat(route.model);
}

type Model = ReturnType<typeof aiSdkModel>;

/** `generateText`; `integrations` are per-call telemetry integrations (none: the registered ones). */
export async function aiSdkGenerate(model: Model, integrations?: Telemetry[]): Promise<string> {
  const result = await generateText({ model, prompt: 'Say hello.', maxRetries: 0, ...(integrations ? { telemetry: { integrations } } : {}) });
  return result.text;
}

/** `streamText`, read to the end; `onFirstChunk` marks time to first text chunk. */
export async function aiSdkStream(model: Model, integrations?: Telemetry[], onFirstChunk?: () => void): Promise<string> {
  const result = streamText({ model, prompt: 'Say hello.', maxRetries: 0, ...(integrations ? { telemetry: { integrations } } : {}) });
  return readStream(result.textStream, (part) => part, onFirstChunk);
}
