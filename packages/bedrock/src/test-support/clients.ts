import {
  BedrockRuntimeClient,
  type BedrockRuntimeClientConfig,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import type { MiddlewareStack } from '@smithy/types';

/** Credentials the stub ignores; their values must never reach a span. */
export const TEST_CREDENTIALS = { accessKeyId: 'AKIDSERVEDBYTEST', secretAccessKey: 'servedby-test-secret-key' };

/** A real client pointed at a loopback endpoint. */
export function createTestClient(endpoint: string, config: Partial<BedrockRuntimeClientConfig> = {}): BedrockRuntimeClient {
  return new BedrockRuntimeClient({ region: 'us-east-1', endpoint, credentials: TEST_CREDENTIALS, maxAttempts: 1, ...config });
}

type AnyCommand = ConverseCommand | ConverseStreamCommand | InvokeModelCommand | InvokeModelWithResponseStreamCommand;

/** Adds a request header choosing the server's scenario, on this command only. */
export function withScenario<Command extends AnyCommand>(command: Command, header: string, value: string): Command {
  (command.middlewareStack as MiddlewareStack<any, any>).add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers[header] = value;
      return next(args);
    },
    { step: 'build', name: `scenario-${header}` },
  );
  return command;
}

/** A one-message Converse request. */
export function converse(modelId: string): ConverseCommand {
  return new ConverseCommand({
    modelId,
    messages: [{ role: 'user', content: [{ text: 'Say hello.' }] }],
    inferenceConfig: { maxTokens: 64, temperature: 0.2 },
  });
}

/** A one-message ConverseStream request. */
export function converseStream(modelId: string): ConverseStreamCommand {
  return new ConverseStreamCommand({ modelId, messages: [{ role: 'user', content: [{ text: 'Say hello.' }] }] });
}

/** An InvokeModel request with an Anthropic Messages body (string body, as many callers send). */
export function invokeModel(modelId: string, body: unknown = anthropicBody()): InvokeModelCommand {
  return new InvokeModelCommand({ modelId, contentType: 'application/json', accept: 'application/json', body: JSON.stringify(body) });
}

/** An InvokeModelWithResponseStream request with an Anthropic Messages body. */
export function invokeModelStream(modelId: string, body: unknown = anthropicBody()): InvokeModelWithResponseStreamCommand {
  return new InvokeModelWithResponseStreamCommand({ modelId, contentType: 'application/json', body: JSON.stringify(body) });
}

function anthropicBody() {
  return { anthropic_version: 'bedrock-2023-05-31', max_tokens: 64, messages: [{ role: 'user', content: 'Say hello.' }] };
}
