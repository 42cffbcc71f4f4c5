import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Loads the SDK only after the instrumentation is enabled (nothing here imports the SDK statically).
import { installAwsSdk } from './peers/aws-sdk';
import { bedrockClient, bedrockConverse, bedrockConverseStream } from './calls/bedrock';
import { routeView } from './testing/route-view';
import { setUpPeerTest } from './testing/harness';

// Zero-code mode over `@opentelemetry/instrumentation-aws-sdk`: the Bedrock span carries the model
// ID, the client region and `aws.request.id` (the `x-amzn-requestid` response header).
const { telemetry, peer, sim } = setUpPeerTest(installAwsSdk);
const { sdk } = peer;
let client: ReturnType<typeof bedrockClient>;

beforeAll(() => {
  client = bedrockClient(sdk, sim().baseUrls.bedrock);
});
afterAll(() => client.destroy());

function bedrockSpan() {
  const spans = telemetry.spans();
  expect(spans).toHaveLength(1);
  expect(spans[0]!.instrumentationScope.name).toBe('@opentelemetry/instrumentation-aws-sdk');
  return spans[0]!;
}

describe('aws-sdk instrumentation + RouteSpanProcessor over gateway-sim (Bedrock Runtime, HTTP/2)', () => {
  describe.each([
    ['Converse', bedrockConverse],
    ['ConverseStream', bedrockConverseStream],
  ] as const)('%s', (_command, call) => {
    it('in-region model ID: cloud.region is the client region, upstream is the model vendor', async () => {
      await call(sdk, client, 'anthropic.claude-3-5-sonnet-20240620-v1:0');
      expect(routeView(bedrockSpan().attributes)).toEqual({
        'gen_ai.system': 'aws.bedrock',
        'gen_ai.response.model': 'anthropic.claude-3-5-sonnet-20240620-v1:0',
        'gen_ai.route.gateway': 'aws.bedrock',
        'gen_ai.route.upstream': 'anthropic',
        'gen_ai.route.path': ['aws.bedrock', 'anthropic'],
        'gen_ai.route.request_id': expect.stringMatching(/^[0-9a-f-]{36}$/),
        'gen_ai.route.evidence': ['header.x-amzn-requestid', 'model_id'],
        'cloud.region': 'us-east-1',
        'aws.region': 'us-east-1',
      });
    });

    it('geography profile: region scope, and no invented serving region', async () => {
      await call(sdk, client, 'us.amazon.nova-lite-v1:0');
      expect(routeView(bedrockSpan().attributes)).toEqual({
        'gen_ai.system': 'aws.bedrock',
        'gen_ai.response.model': 'amazon.nova-lite-v1:0',
        'gen_ai.route.gateway': 'aws.bedrock',
        'gen_ai.route.upstream': 'amazon',
        'gen_ai.route.path': ['aws.bedrock', 'amazon'],
        'gen_ai.route.region_scope': 'us',
        'gen_ai.route.request_id': expect.stringMatching(/^[0-9a-f-]{36}$/),
        'gen_ai.route.evidence': ['header.x-amzn-requestid', 'model_id'],
        // the aws-sdk instrumentation's own attribute: the client's region, left as it wrote it
        'cloud.region': 'us-east-1',
        'aws.region': 'us-east-1',
      });
    });
  });

  it('a call that got no response (connection reset): the span has no AWS request id, so no route is added', async () => {
    sim().configure({ targets: { bedrock: { failure: 'reset' } } });
    try {
      await expect(bedrockConverse(sdk, client, 'anthropic.claude-3-5-sonnet-20240620-v1:0')).rejects.toThrow();
    } finally {
      sim().configure({});
    }
    const span = bedrockSpan();
    expect(span.attributes['aws.request.id']).toBeUndefined();
    expect(routeView(span.attributes)).toEqual({ 'gen_ai.system': 'aws.bedrock', 'cloud.region': 'us-east-1' });
  });
});
