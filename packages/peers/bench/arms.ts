// The benchmark's arms: for each framework, the bare SDK, each peer set up as its own docs say,
// and servedby as documented (using whatever `@servedby/*` exports at run time). Each arm runs in
// its own worker process, so two instrumentations that patch the same SDK never meet.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TracerProvider } from '@opentelemetry/api';
import type { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { GatewaySim } from '@servedby/gateway-sim';
import { chatRoutes, type ChatRoute } from '../src/testing/routes';

/** The frameworks measured, and the arms each one has. */
export const ARMS = {
  openai: ['bare', 'openinference', 'openllmetry', 'servedby'],
  'ai-sdk': ['bare', 'ai-sdk-otel', 'servedby'],
  langchain: ['bare', 'openinference', 'openllmetry', 'langfuse', 'servedby'],
  bedrock: ['bare', 'aws-sdk', 'servedby'],
} as const;

/** A framework name. */
export type Framework = keyof typeof ARMS;

/** The two modes each framework is measured in. */
export const MODES: Record<Framework, readonly [string, string]> = {
  openai: ['create', 'stream'],
  'ai-sdk': ['generate', 'stream'],
  langchain: ['invoke', 'stream'],
  bedrock: ['converse', 'converse-stream'],
};

/** One prepared arm: a call per mode; `onFirstChunk` is called on a stream's first chunk. */
export interface PreparedArm {
  /** How servedby was set up (for the report), or the peer's set-up. */
  description: string;
  call(mode: string, onFirstChunk: () => void): Promise<string>;
}

/** What a worker knows about the simulator. */
export interface SimTargets {
  route: ChatRoute;
  bedrockEndpoint: string;
  bedrockModelId: string;
}

/** The targets every bench runs against on one simulator: its OpenRouter route (its headers replaced by `headers` when given) and Bedrock. */
export function simTargets(sim: GatewaySim, headers?: Record<string, string>): SimTargets {
  const openRouter = chatRoutes(sim).find((candidate) => candidate.name === 'openrouter')!;
  const route = headers ? { ...openRouter, headers: { ...openRouter.headers, ...headers } } : openRouter;
  return { route, bedrockEndpoint: sim.baseUrls.bedrock, bedrockModelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0' };
}

const require = createRequire(import.meta.url);

/** The first TypeScript example of an installed package's README ('' when there is none). */
function firstExampleOf(packageName: string): string {
  try {
    const readme = readFileSync(join(dirname(require.resolve(`${packageName}/package.json`)), 'README.md'), 'utf8');
    return /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  } catch {
    return '';
  }
}

/** Sets one arm up in this (worker) process. */
export async function prepareArm(framework: Framework, arm: string, tracerProvider: TracerProvider, targets: SimTargets): Promise<PreparedArm> {
  switch (framework) {
    case 'openai':
      return prepareOpenAI(arm, tracerProvider, targets);
    case 'ai-sdk':
      return prepareAiSdk(arm, tracerProvider, targets);
    case 'langchain':
      return prepareLangChain(arm, tracerProvider, targets);
    case 'bedrock':
      return prepareBedrock(arm, tracerProvider, targets);
  }
}

/**
 * How servedby captures HTTP exchanges in this build: `register` when the package has the
 * diagnostics-channel entry point (then no fetch wrapper is passed), else `captureRouteFetch`
 * as the READMEs document it today.
 */
async function servedbyCapture(): Promise<{ mode: 'register' | 'captureRouteFetch'; fetch?: typeof globalThis.fetch }> {
  try {
    await import('@servedby/conventions/register' as string);
    return { mode: 'register' };
  } catch {
    const conventions = await import('@servedby/conventions');
    return { mode: 'captureRouteFetch', fetch: conventions.captureRouteFetch() };
  }
}

async function prepareOpenAI(arm: string, tracerProvider: TracerProvider, { route }: SimTargets): Promise<PreparedArm> {
  const { openAIClient, openAICreate, openAIStream } = await import('../src/calls/openai');
  let sdk = await import('openai');
  let description = 'openai SDK, no instrumentation';
  let fetch: typeof globalThis.fetch | undefined;
  if (arm === 'openinference') {
    sdk = (await import('../src/peers/openinference-openai')).installOpenInferenceOpenAI(tracerProvider).sdk;
    description = 'OpenAIInstrumentation.manuallyInstrument(openai)';
  } else if (arm === 'openllmetry') {
    sdk = (await import('../src/peers/openllmetry-openai')).installOpenLLMetryOpenAI(tracerProvider).sdk;
    description = 'OpenLLMetry manuallyInstrument(OpenAI)';
  } else if (arm === 'servedby') {
    const capture = await servedbyCapture();
    fetch = capture.fetch;
    description = capture.mode === 'register' ? "import '@servedby/conventions/register'" : 'new OpenAI({ fetch: captureRouteFetch() })';
  }
  const client = openAIClient(sdk, route, fetch);
  return {
    description,
    call: (mode, onFirstChunk) => (mode === 'stream' ? openAIStream(client, route, onFirstChunk) : openAICreate(client, route)),
  };
}

async function prepareAiSdk(arm: string, tracerProvider: TracerProvider, { route }: SimTargets): Promise<PreparedArm> {
  const { aiSdkModel, aiSdkGenerate, aiSdkStream } = await import('../src/calls/ai-sdk');
  const { registerTelemetry } = await import('ai');
  let description = 'AI SDK 7, no telemetry integration';
  if (arm === 'ai-sdk-otel') {
    const { OpenTelemetry } = await import('@ai-sdk/otel');
    registerTelemetry(new OpenTelemetry({ tracer: tracerProvider.getTracer('ai') }));
    description = 'registerTelemetry(new OpenTelemetry())';
  } else if (arm === 'servedby') {
    const { routeTelemetry } = await import('@servedby/vercel-ai');
    registerTelemetry(routeTelemetry({ tracerProvider }));
    description = 'registerTelemetry(routeTelemetry())';
  }
  const model = aiSdkModel(route);
  return {
    description,
    call: (mode, onFirstChunk) => (mode === 'stream' ? aiSdkStream(model, undefined, onFirstChunk) : aiSdkGenerate(model)),
  };
}

async function prepareLangChain(arm: string, tracerProvider: TracerProvider, { route }: SimTargets): Promise<PreparedArm> {
  const { langChainModel, langChainInvoke, langChainStream } = await import('../src/calls/langchain');
  let description = 'ChatOpenAI, no callbacks';
  let callbacks: BaseCallbackHandler[] | undefined;
  let fetch: typeof globalThis.fetch | undefined;
  if (arm === 'openinference') {
    (await import('../src/peers/openinference-langchain')).installOpenInferenceLangChain(tracerProvider);
    description = 'LangChainInstrumentation.manuallyInstrument(CallbackManager)';
  } else if (arm === 'openllmetry') {
    (await import('../src/peers/openllmetry-langchain')).installOpenLLMetryLangChain(tracerProvider);
    description = 'OpenLLMetry manuallyInstrument({ callbackManagerModule })';
  } else if (arm === 'langfuse') {
    callbacks = [(await import('../src/peers/langfuse-langchain')).installLangfuseLangChain(tracerProvider).handler];
    description = 'callbacks: [new CallbackHandler()]';
  } else if (arm === 'servedby') {
    const langchain = await import('@servedby/langchain');
    langchain.registerRouteCallbacks({ tracerProvider });
    // As the package's README documents it at run time: with `configuration.fetch: captureRouteFetch()`
    // while its first example has it, the handler alone once it does not.
    if (firstExampleOf('@servedby/langchain').includes('captureRouteFetch()')) fetch = langchain.captureRouteFetch();
    description = fetch ? 'registerRouteCallbacks() + configuration.fetch: captureRouteFetch()' : 'registerRouteCallbacks()';
  }
  const model = langChainModel(route, fetch ? { fetch } : {});
  return {
    description,
    call: (mode, onFirstChunk) => (mode === 'stream' ? langChainStream(model, callbacks, onFirstChunk) : langChainInvoke(model, callbacks)),
  };
}

async function prepareBedrock(arm: string, tracerProvider: TracerProvider, targets: SimTargets): Promise<PreparedArm> {
  const { bedrockClient, bedrockConverse, bedrockConverseStream } = await import('../src/calls/bedrock');
  let description = 'BedrockRuntimeClient, no instrumentation';
  let sdk: typeof import('@aws-sdk/client-bedrock-runtime');
  if (arm === 'aws-sdk') {
    sdk = (await import('../src/peers/aws-sdk')).installAwsSdk(tracerProvider).sdk;
    description = 'new AwsInstrumentation() before the SDK loads';
  } else {
    // Loaded the same way in every arm (require), so module loading does not differ.
    sdk = require('@aws-sdk/client-bedrock-runtime') as typeof import('@aws-sdk/client-bedrock-runtime');
  }
  let client = bedrockClient(sdk, targets.bedrockEndpoint);
  if (arm === 'servedby') {
    const { instrumentBedrock } = await import('@servedby/bedrock');
    client = instrumentBedrock(client, { tracerProvider });
    description = 'instrumentBedrock(client)';
  }
  return {
    description,
    call: (mode, onFirstChunk) =>
      mode === 'converse-stream' ? bedrockConverseStream(sdk, client, targets.bedrockModelId, onFirstChunk) : bedrockConverse(sdk, client, targets.bedrockModelId),
  };
}
