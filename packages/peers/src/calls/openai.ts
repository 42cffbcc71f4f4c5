import type * as OpenAIModule from 'openai';
import { AZURE_API_VERSION, type ChatRoute, TEST_API_KEY } from '../testing/routes';
import { readStream } from './read-stream';

type OpenAIExports = typeof OpenAIModule;
type Client = InstanceType<OpenAIExports['OpenAI']>;

const messages = [{ role: 'user' as const, content: 'Say hello.' }];

/** A raw `openai` SDK client for one gateway-sim route (Azure: `AzureOpenAI` with the deployment). */
export function openAIClient(sdk: OpenAIExports, route: ChatRoute, fetch?: typeof globalThis.fetch): Client {
  const common = { apiKey: TEST_API_KEY, maxRetries: 0, defaultHeaders: route.headers, ...(fetch ? { fetch } : {}) };
  if (route.name === 'azure') {
    return new sdk.AzureOpenAI({ ...common, endpoint: route.baseURL, apiVersion: AZURE_API_VERSION, deployment: route.model });
  }
  return new sdk.OpenAI({ ...common, baseURL: route.baseURL });
}

/** `chat.completions.create` without streaming; returns the answer text. */
export async function openAICreate(client: Client, route: ChatRoute): Promise<string> {
  const completion = await client.chat.completions.create({ model: route.model, messages });
  return completion.choices[0]?.message.content ?? '';
}

/** `chat.completions.create({ stream: true })`, read to the end; `onFirstChunk` marks time to first chunk. */
export async function openAIStream(client: Client, route: ChatRoute, onFirstChunk?: () => void): Promise<string> {
  const stream = await client.chat.completions.create({ model: route.model, messages, stream: true });
  return readStream(stream, (chunk) => chunk.choices[0]?.delta?.content ?? undefined, onFirstChunk);
}
