import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { instrumentBedrock } from '@servedby/bedrock';

// OpenTelemetry SDK: spans go to OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318).
const sdk = new NodeSDK();
sdk.start();

// Your client: returns the same client, instrumented. Credentials, region and endpoint come from the
// usual AWS settings (AWS_PROFILE or keys; AWS_ENDPOINT_URL_BEDROCK_RUNTIME for another endpoint).
const client = instrumentBedrock(new BedrockRuntimeClient({ region: 'us-east-1' }));
const response = await client.send(
  new ConverseCommand({
    modelId: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
    messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
  }),
);
console.log(response.output?.message?.content?.[0]?.text); // span "chat us.anthropic.claude-haiku-4-5-20251001-v1:0": upstream anthropic, region scope us

await sdk.shutdown(); // flushes the spans before the process exits
