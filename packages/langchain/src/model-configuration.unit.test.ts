import { describe, expect, it } from 'vitest';
import { readModelConfiguration } from './model-configuration';

describe('readModelConfiguration', () => {
  it('keeps no credentials or query string of a configured URL', async () => {
    const model = { clientConfig: { baseURL: 'https://user:secret@gateway.example.com/v1?api-key=abc#frag' } };
    expect(await readModelConfiguration(model)).toEqual({
      url: 'https://gateway.example.com/v1',
      region: undefined,
      requestModel: undefined,
    });
  });

  it('reads an Azure deployment as the request model', async () => {
    const model = { azureOpenAIApiDeploymentName: 'gpt-4o-eastus', azureOpenAIEndpoint: 'https://contoso.openai.azure.com/' };
    expect(await readModelConfiguration(model)).toMatchObject({
      url: 'https://contoso.openai.azure.com',
      requestModel: 'gpt-4o-eastus',
    });
  });

  it('reads a Bedrock model as sent: the application profile wins, the client region when no field has it', async () => {
    const model = {
      model: 'anthropic.claude-3-5-haiku-20241022-v1:0',
      applicationInferenceProfile: 'arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/x1',
      client: { config: { region: async () => 'eu-west-1' } },
    };
    expect(await readModelConfiguration(model)).toMatchObject({
      region: 'eu-west-1',
      requestModel: 'arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/x1',
    });
  });

  it('never throws on a client whose region provider fails', async () => {
    const model = { model: 'meta.llama3-70b-instruct-v1:0', client: { config: { region: async () => Promise.reject(new Error('no region')) } } };
    expect(await readModelConfiguration(model)).toMatchObject({ region: undefined, requestModel: undefined });
  });
});
