import { describe, expect, it } from 'vitest';
import { deriveRoute } from '../../derive-route';

describe('aws.bedrock rule', () => {
  it('never reads a Bedrock-shaped path on a host that is not AWS as Bedrock (§2.7)', () => {
    const attribution = deriveRoute({ url: 'https://gateway.example.com/model/anthropic.claude-3-haiku-20240307-v1:0/converse', status: 200, responseBody: { output: {} } });
    expect(attribution.system).toBe('_OTHER');
    expect(attribution.upstream).toBeUndefined();
  });

  it("lets AWS's own response headers vouch for the model ID on a host it does not own", () => {
    const attribution = deriveRoute({
      url: 'http://127.0.0.1:9/model/anthropic.claude-3-haiku-20240307-v1:0/converse',
      responseHeaders: { 'x-amzn-requestid': 'r1' },
      region: 'us-east-1',
    });
    expect(attribution).toMatchObject({ gateway: 'aws.bedrock', upstream: 'anthropic', requestId: 'r1', region: 'us-east-1' });
  });

  it('never takes a served model from an error response', () => {
    const attribution = deriveRoute({ url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1:0/invoke', status: 400, responseBody: { message: 'bad' } });
    expect(attribution.responseModel).toBeUndefined();
  });
});
