import { describe, expect, it } from 'vitest';
import { deriveRoute } from '../../derive-route';
import databricksServedByBedrock from '../databricks/__fixtures__/databricks-fmapi-claude-3-7-sonnet-served-by-bedrock.json';

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

  it('recognises Bedrock from a msg_bdrk_ id on an OpenAI-shaped body a translator relayed (real Databricks recording)', () => {
    const attribution = deriveRoute({ url: 'http://127.0.0.1:4000/v1/chat/completions', responseBody: databricksServedByBedrock.response.body, status: 200 });
    expect(attribution).toMatchObject({ system: 'aws.bedrock', gateway: 'aws.bedrock' });
    expect(attribution.evidence).toContain('body.id');
    // A chatcmpl id names nobody.
    const plain = deriveRoute({ url: 'http://127.0.0.1:4000/v1/chat/completions', responseBody: { ...databricksServedByBedrock.response.body, id: 'chatcmpl-1' }, status: 200 });
    expect(plain.system).not.toBe('aws.bedrock');
  });

  it('never takes a served model from an error response', () => {
    const attribution = deriveRoute({ url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1:0/invoke', status: 400, responseBody: { message: 'bad' } });
    expect(attribution.responseModel).toBeUndefined();
  });
});
