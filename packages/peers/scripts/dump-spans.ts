// Prints the attributes each real peer instrumentation puts on its spans over gateway-sim, one
// peer per process (two peers patching one SDK must not share a process):
//   node --import tsx scripts/dump-spans.ts <peer>
// peers: openinference-openai openllmetry-openai openinference-langchain openllmetry-langchain
//        langfuse-langchain ai-sdk-otel aws-sdk
import { startGatewaySim } from '@servedby/gateway-sim';
import { createPeerTelemetry } from '../src/testing/telemetry';
import { chatRoutes } from '../src/testing/routes';

const peer = process.argv[2] ?? '';
const telemetry = createPeerTelemetry({ route: process.argv.includes("--route") });
const sim = await startGatewaySim({ port: 0, seed: 7 });
const routes = chatRoutes(sim);

function clip(value: unknown): unknown {
  if (typeof value === 'string' && value.length > 400) return `${value.slice(0, 400)}…(${value.length})`;
  return value;
}
function dump(title: string): void {
  for (const span of telemetry.spans()) {
    const attributes = Object.fromEntries(Object.entries(span.attributes).map(([key, value]) => [key, clip(value)]));
    console.log(JSON.stringify({ title, name: span.name, scope: span.instrumentationScope.name, attributes }, null, 1));
  }
  telemetry.reset();
}

if (peer.endsWith('-openai')) {
  const { openAIClient, openAICreate, openAIStream } = await import('../src/calls/openai');
  const { sdk } =
    peer === 'openinference-openai'
      ? (await import('../src/peers/openinference-openai')).installOpenInferenceOpenAI(telemetry.tracerProvider)
      : (await import('../src/peers/openllmetry-openai')).installOpenLLMetryOpenAI(telemetry.tracerProvider);
  for (const route of routes) {
    const client = openAIClient(sdk, route);
    await openAICreate(client, route);
    dump(`${route.name} create`);
    await openAIStream(client, route);
    dump(`${route.name} stream`);
  }
} else if (peer.endsWith('-langchain')) {
  const { langChainModel, langChainInvoke, langChainStream } = await import('../src/calls/langchain');
  let callbacks: Parameters<typeof langChainInvoke>[1];
  if (peer === 'openinference-langchain') (await import('../src/peers/openinference-langchain')).installOpenInferenceLangChain(telemetry.tracerProvider);
  else if (peer === 'openllmetry-langchain') (await import('../src/peers/openllmetry-langchain')).installOpenLLMetryLangChain(telemetry.tracerProvider);
  else callbacks = [(await import('../src/peers/langfuse-langchain')).installLangfuseLangChain(telemetry.tracerProvider).handler];
  for (const route of routes) {
    await langChainInvoke(langChainModel(route), callbacks);
    dump(`${route.name} invoke`);
    await langChainStream(langChainModel(route), callbacks);
    dump(`${route.name} stream`);
  }
} else if (peer === 'ai-sdk-otel') {
  const { aiSdkModel, aiSdkGenerate, aiSdkStream } = await import('../src/calls/ai-sdk');
  (await import('../src/peers/ai-sdk-otel')).installAiSdkOtel(telemetry.tracerProvider);
  for (const route of routes.filter((candidate) => candidate.name !== 'azure')) {
    await aiSdkGenerate(aiSdkModel(route));
    dump(`${route.name} generate`);
    await aiSdkStream(aiSdkModel(route));
    dump(`${route.name} stream`);
  }
} else if (peer === 'aws-sdk') {
  const { bedrockClient, bedrockConverse, bedrockConverseStream } = await import('../src/calls/bedrock');
  const { sdk } = (await import('../src/peers/aws-sdk')).installAwsSdk(telemetry.tracerProvider);
  const client = bedrockClient(sdk, sim.baseUrls.bedrock);
  for (const modelId of ['anthropic.claude-3-5-sonnet-20240620-v1:0', 'us.amazon.nova-lite-v1:0']) {
    await bedrockConverse(sdk, client, modelId);
    dump(`bedrock converse ${modelId}`);
    await bedrockConverseStream(sdk, client, modelId);
    dump(`bedrock converse-stream ${modelId}`);
  }
  client.destroy();
} else {
  console.error(`unknown peer ${peer}`);
  process.exitCode = 1;
}
await sim.close();
await telemetry.shutdown();
