import { ChatBedrockConverse } from '@langchain/aws';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { bedrockRoutePlugin } from '@servedby/bedrock';

// OpenTelemetry SDK: spans go to OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318).
const sdk = new NodeSDK();
sdk.start();

// A client another library built (here @langchain/aws): add the plugin to its middleware stack.
const chat = new ChatBedrockConverse({ model: 'eu.amazon.nova-pro-v1:0', region: 'eu-west-1' });
chat.client.middlewareStack.use(bedrockRoutePlugin());

const answer = await chat.invoke('Hello');
console.log(answer.text); // span "chat eu.amazon.nova-pro-v1:0": upstream amazon, region scope eu

await sdk.shutdown(); // flushes the spans before the process exits
