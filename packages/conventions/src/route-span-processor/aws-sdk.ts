import type { Attributes } from '@opentelemetry/api';
import { compactFacts, type PeerSpanReader, stringAttribute } from './peer-spans';

const BEDROCK_METHODS: ReadonlySet<string> = new Set(['Converse', 'ConverseStream', 'InvokeModel', 'InvokeModelWithResponseStream']);

/**
 * `@opentelemetry/instrumentation-aws-sdk` Bedrock Runtime spans. Seen over gateway-sim:
 * `rpc.system=aws-api`, `rpc.service=BedrockRuntime`, `rpc.method`, `gen_ai.system=aws.bedrock`,
 * `gen_ai.request.model` (the raw model ID), `cloud.region` (the client's configured region) and
 * `aws.request.id`, which the SDK reads from the response's `x-amzn-requestid` header — AWS's own
 * response header, so with a Bedrock model ID it may decide (DESIGN §2.7). No endpoint is recorded,
 * and `gen_ai.system` only says which SDK client ran.
 */
export const awsSdkReader: PeerSpanReader = {
  peer: 'aws-sdk',
  read(attributes: Attributes) {
    if (attributes['rpc.system'] !== 'aws-api') return undefined;
    const service = stringAttribute(attributes, 'rpc.service');
    const method = stringAttribute(attributes, 'rpc.method');
    if (service === undefined || !/bedrock/i.test(service) || method === undefined || !BEDROCK_METHODS.has(method)) return undefined;
    const requestId = stringAttribute(attributes, 'aws.request.id');
    return compactFacts({
      peer: 'aws-sdk',
      requestModel: stringAttribute(attributes, 'gen_ai.request.model'),
      region: stringAttribute(attributes, 'cloud.region'),
      responseHeaders: requestId ? [['x-amzn-requestid', requestId]] : undefined,
      clientLabel: stringAttribute(attributes, 'gen_ai.provider.name') ?? stringAttribute(attributes, 'gen_ai.system'),
    });
  },
};
