import type { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { AzureChatOpenAI, ChatOpenAI } from '@langchain/openai';
import { AZURE_API_VERSION, type ChatRoute, TEST_API_KEY } from '../testing/routes';
import { readStream } from './read-stream';

/** A LangChain chat model for one gateway-sim route: `ChatOpenAI` with a `baseURL`, or `AzureChatOpenAI`. */
export function langChainModel(route: ChatRoute, options: { fetch?: typeof globalThis.fetch; streaming?: boolean } = {}): ChatOpenAI {
  const configuration = { defaultHeaders: route.headers, ...(options.fetch ? { fetch: options.fetch } : {}) };
  if (route.name === 'azure') {
    return new AzureChatOpenAI({
      azureOpenAIApiKey: TEST_API_KEY,
      azureOpenAIBasePath: `${route.baseURL}/openai/deployments`,
      azureOpenAIApiDeploymentName: route.model,
      azureOpenAIApiVersion: AZURE_API_VERSION,
      maxRetries: 0,
      configuration,
    });
  }
  return new ChatOpenAI({
    model: route.model,
    apiKey: TEST_API_KEY,
    maxRetries: 0,
    configuration: { baseURL: route.baseURL, ...configuration },
  });
}

/** `model.invoke`; returns the answer text. */
export async function langChainInvoke(model: ChatOpenAI, callbacks?: BaseCallbackHandler[]): Promise<string> {
  const message = await model.invoke('Say hello.', callbacks ? { callbacks } : {});
  return typeof message.content === 'string' ? message.content : JSON.stringify(message.content);
}

/** `model.stream`, read to the end; `onFirstChunk` marks time to first chunk. */
export async function langChainStream(model: ChatOpenAI, callbacks?: BaseCallbackHandler[], onFirstChunk?: () => void): Promise<string> {
  const stream = await model.stream('Say hello.', callbacks ? { callbacks } : {});
  return readStream(stream, (chunk) => (typeof chunk.content === 'string' && chunk.content.length > 0 ? chunk.content : undefined), onFirstChunk);
}
