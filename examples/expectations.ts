// What each README example must put on its spans when run against gateway-sim (configured by
// `simulatorConfig` below). Shared by the in-repo test and the tarball test.
import type { ReceivedSpan } from './harness/otlp-receiver.ts';

/** The simulator's set-up for every example run: OpenRouter serves from Together. */
export const simulatorConfig = {
  seed: 7,
  targets: { openrouter: { upstream: 'together' } },
};

/** One example: its file (relative to `examples/`), the span it must emit and that span's route. */
export interface ExampleExpectation {
  file: string;
  /** Picks the model-call span the README talks about. */
  span: { name: string; scope?: string };
  attributes: Record<string, unknown>;
  /** Attributes that must be absent (an honest unset upstream). */
  absent?: string[];
  /** Text the example prints. */
  stdout: string;
  /** Not run by the tarball test (private packages are not packed). */
  inRepoOnly?: boolean;
}

const openRouterTogether = {
  'gen_ai.provider.name': 'openrouter',
  'gen_ai.route.gateway': 'openrouter',
  'gen_ai.route.upstream': 'together',
  'gen_ai.route.path': ['openrouter', 'together'],
};

export const exampleExpectations: ExampleExpectation[] = [
  {
    file: 'conventions/register.ts',
    span: { name: 'chat anthropic/claude-haiku-4.5', scope: '@servedby/conventions' },
    attributes: { ...openRouterTogether, 'gen_ai.request.model': 'anthropic/claude-haiku-4.5' },
    stdout: 'Hello from the gateway simulator.',
  },
  {
    file: 'conventions/capture-route-fetch.ts',
    span: { name: 'chat anthropic/claude-haiku-4.5', scope: '@servedby/conventions' },
    attributes: { ...openRouterTogether, 'gen_ai.request.model': 'anthropic/claude-haiku-4.5' },
    stdout: 'Hello from the gateway simulator.',
  },
  {
    file: 'conventions/derive-route.ts',
    span: { name: 'chat anthropic/claude-haiku-4.5', scope: 'my-app' },
    attributes: openRouterTogether,
    stdout: 'openrouter together',
  },
  {
    // The AI SDK's own spans (`@ai-sdk/otel` with providerMetadata), attributed by the processor.
    file: 'conventions/route-span-processor.ts',
    span: { name: 'chat anthropic/claude-sonnet-4.5', scope: 'gen_ai' },
    attributes: { ...openRouterTogether, 'gen_ai.request.model': 'anthropic/claude-sonnet-4.5' },
    stdout: 'Hello from the gateway simulator.',
  },
  {
    file: 'conventions/run-with-route-capture.ts',
    span: { name: '' },
    attributes: {},
    stdout: 'openrouter together',
  },
  {
    file: 'conventions/plugin-authors.ts',
    span: { name: 'chat anthropic/claude-haiku-4.5', scope: 'my-instrumentation' },
    attributes: { ...openRouterTogether, 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'anthropic/claude-haiku-4.5' },
    stdout: 'together',
  },
  {
    file: 'langchain/register-callbacks.ts',
    span: { name: 'chat anthropic/claude-sonnet-4', scope: '@servedby/langchain' },
    attributes: openRouterTogether,
    stdout: 'Hello from the gateway simulator.',
  },
  {
    file: 'vercel-ai/route-telemetry.ts',
    span: { name: 'chat anthropic/claude-sonnet-4.5', scope: '@servedby/vercel-ai' },
    attributes: openRouterTogether,
    stdout: 'Hello from the gateway simulator.',
  },
  {
    file: 'vercel-ai/route-telemetry-stream.ts',
    span: { name: 'chat anthropic/claude-sonnet-4.5', scope: '@servedby/vercel-ai' },
    attributes: openRouterTogether,
    stdout: 'Hello from the gateway simulator.',
  },
  {
    file: 'vercel-ai/route-middleware.ts',
    span: { name: 'chat anthropic/claude-sonnet-4.5', scope: '@servedby/vercel-ai' },
    attributes: openRouterTogether,
    stdout: 'Hello from the gateway simulator.',
  },
  {
    file: 'vercel-ai/provider-name-upstream.ts',
    span: { name: 'chat anthropic/claude-sonnet-4.5', scope: '@servedby/vercel-ai' },
    attributes: {
      'gen_ai.provider.name': 'together',
      'gen_ai.system': 'together',
      'gen_ai.route.gateway': 'openrouter',
      'gen_ai.route.upstream': 'together',
    },
    stdout: 'Hello from the gateway simulator.',
  },
  {
    file: 'mastra/agent.ts',
    span: { name: 'chat anthropic/claude-sonnet-4', scope: '@servedby/mastra' },
    attributes: openRouterTogether,
    stdout: 'Hello from the gateway simulator.',
  },
  {
    file: 'bedrock/instrument-client.ts',
    span: { name: 'chat us.anthropic.claude-haiku-4-5-20251001-v1:0', scope: '@servedby/bedrock' },
    attributes: {
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.route.gateway': 'aws.bedrock',
      'gen_ai.route.upstream': 'anthropic',
      'gen_ai.route.region_scope': 'us',
      'aws.region': 'us-east-1',
    },
    stdout: 'Hello from the gateway simulator.',
  },
  {
    file: 'bedrock/langchain-client.ts',
    span: { name: 'chat eu.amazon.nova-pro-v1:0', scope: '@servedby/bedrock' },
    attributes: {
      'gen_ai.route.gateway': 'aws.bedrock',
      'gen_ai.route.upstream': 'amazon',
      'gen_ai.route.region_scope': 'eu',
    },
    stdout: 'Hello from the gateway simulator.',
  },
  {
    file: 'gateway-sim/start.ts',
    span: { name: '' },
    attributes: {},
    stdout: 'Hello from the gateway simulator.',
    inRepoOnly: true,
  },
];

/** The spans an expectation is about. */
export function spansFor(expectation: ExampleExpectation, spans: ReceivedSpan[]): ReceivedSpan[] {
  return spans.filter(
    (span) =>
      span.name === expectation.span.name && (expectation.span.scope === undefined || span.scope === expectation.span.scope),
  );
}
