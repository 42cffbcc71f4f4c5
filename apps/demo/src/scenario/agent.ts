import type { MeterProvider, TracerProvider } from '@opentelemetry/api';

/** Base URLs of the services the agents call: the simulator's targets, or the real services. */
export interface ServiceEndpoints {
  openrouter: string;
  litellm: string;
  azure: string;
  /** Empty for the real Bedrock (the SDK's regional endpoint). */
  bedrock: string;
  vercel: string;
  /** Kong AI Gateway route (OpenAI-compatible, `…/openai-route`). */
  kong: string;
}

/** What every agent factory receives. */
export interface AgentEnvironment {
  endpoints: ServiceEndpoints;
  /** Whether a route talks to gateway-sim (dummy credentials, simulator headers) or the real service. */
  simulated(route: RouteKind): boolean;
  /** `fetch` for SDKs that take one (adds the simulator's per-run headers to simulator requests). */
  fetch: typeof fetch;
  tracerProvider: TracerProvider;
  meterProvider?: MeterProvider;
  /** Environment variables (credentials of the real services). */
  environment: Record<string, string | undefined>;
}

/** Which gateway the agent's route goes through, for the scenario's per-route plans. */
export type RouteKind = 'openrouter' | 'litellm' | 'vercel' | 'azure' | 'bedrock' | 'kong';

/** One implementation of the customer-support agent (an LLM with an order-lookup tool). */
export interface SupportAgent {
  /** Short id: `ai-sdk`, `langchain`, `mastra`, `bedrock`. */
  id: string;
  /** The framework and servedby plugin, for the terminal and the trace list. */
  framework: string;
  route: RouteKind;
  /** Human description of the route: "OpenRouter (anthropic/claude-sonnet-4.5)". */
  routeLabel: string;
  /** Answers one customer question; the order-lookup tool reads the order from the run's plan. */
  answer(question: string): Promise<string>;
  close?(): Promise<void>;
}
