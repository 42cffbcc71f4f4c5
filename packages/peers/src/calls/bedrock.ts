import type * as BedrockModule from '@aws-sdk/client-bedrock-runtime';
import { TEST_CREDENTIALS } from '../testing/routes';
import { readStream } from './read-stream';

type BedrockExports = typeof BedrockModule;
type Client = InstanceType<BedrockExports['BedrockRuntimeClient']>;

const messages = [{ role: 'user' as const, content: [{ text: 'Say hello.' }] }];

/** A Bedrock Runtime client pointed at gateway-sim (HTTP/2 cleartext on the same port). */
export function bedrockClient(sdk: BedrockExports, endpoint: string, region = 'us-east-1'): Client {
  return new sdk.BedrockRuntimeClient({ endpoint, region, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
}

/** `Converse`; returns the answer text. */
export async function bedrockConverse(sdk: BedrockExports, client: Client, modelId: string): Promise<string> {
  const output = await client.send(new sdk.ConverseCommand({ modelId, messages }));
  return output.output?.message?.content?.[0]?.text ?? '';
}

/** `ConverseStream`, read to the end; `onFirstChunk` marks time to first text delta. */
export async function bedrockConverseStream(sdk: BedrockExports, client: Client, modelId: string, onFirstChunk?: () => void): Promise<string> {
  const output = await client.send(new sdk.ConverseStreamCommand({ modelId, messages }));
  if (!output.stream) throw new Error('ConverseStream answered without a stream');
  return readStream(output.stream, (event) => event.contentBlockDelta?.delta?.text, onFirstChunk);
}
