import { createAzure } from '@ai-sdk/azure';
import { createOpenRouter } from '@openrouter/ai-sdk-provider';
import { generateText, stepCountIs, tool, type LanguageModel, type Telemetry } from 'ai';
import { captureRouteFetch } from '@servedby/conventions';
import { routeTelemetry } from '@servedby/vercel-ai';
import { z } from 'zod';
import { currentSimPlan } from '../sim-plan';
import { LOOKUP_ORDER_DESCRIPTION, lookupOrder, SUPPORT_SYSTEM_PROMPT } from '../support-data';
import type { AgentEnvironment, SupportAgent } from '../agent';

function lookupOrderTool() {
  return tool({
    description: LOOKUP_ORDER_DESCRIPTION,
    inputSchema: z.object({ orderId: z.string().describe('The order id, e.g. A1001') }),
    execute: async ({ orderId }) => lookupOrder(orderId, currentSimPlan()?.orderId),
  });
}

function agentOn(
  model: LanguageModel,
  telemetry: Telemetry,
  description: Pick<SupportAgent, 'id' | 'route' | 'routeLabel'>,
  providerOptions?: () => Record<string, Record<string, unknown>> | undefined,
): SupportAgent {
  const tools = { lookup_order: lookupOrderTool() };
  return {
    ...description,
    framework: 'AI SDK 7 + @servedby/vercel-ai',
    async answer(question) {
      const result = await generateText({
        model,
        system: SUPPORT_SYSTEM_PROMPT,
        prompt: question,
        tools,
        stopWhen: stepCountIs(4),
        maxRetries: 0,
        ...(providerOptions?.() ? { providerOptions: providerOptions() as never } : {}),
        telemetry: { integrations: [telemetry], functionId: 'support-agent' },
      });
      return result.text;
    },
  };
}

/**
 * The support agent on the AI SDK, attributed by `routeTelemetry()` from @servedby/vercel-ai:
 * through OpenRouter (the route whose upstream fails over in the scenario).
 */
export function createAiSdkOpenRouterAgent(environment: AgentEnvironment): SupportAgent {
  const telemetry = routeTelemetry({ tracerProvider: environment.tracerProvider, meterProvider: environment.meterProvider });
  // propagateToGateways: OpenRouter's Broadcast spans join the ticket's trace under the model span
  // (body `trace.trace_id` / `parent_span_id`, as OpenRouter documents it). The simulator's host is
  // named as an OpenRouter host; the real openrouter.ai is recognised by its rule.
  const openRouterHost = new URL(environment.endpoints.openrouter).host;
  const openrouter = createOpenRouter({
    baseURL: environment.endpoints.openrouter,
    apiKey: environment.environment.OPENROUTER_API_KEY ?? 'sim-key',
    fetch: captureRouteFetch(environment.fetch, { propagateToGateways: { gatewayOfHost: { [openRouterHost]: 'openrouter' } } }),
  });
  // The run's routing preferences (`provider`) go into the request body: `providerOptions.openrouter`
  // is merged into it by @openrouter/ai-sdk-provider.
  return agentOn(
    openrouter.chat('anthropic/claude-sonnet-4.5'),
    telemetry,
    { id: 'ai-sdk', route: 'openrouter', routeLabel: 'OpenRouter, anthropic/claude-sonnet-4.5' },
    () => {
      const request = currentSimPlan()?.request;
      return request ? { openrouter: request } : undefined;
    },
  );
}


/** The same AI SDK agent on an Azure OpenAI deployment (`support-gpt-4o`). */
export function createAiSdkAzureAgent(environment: AgentEnvironment): SupportAgent {
  const telemetry = routeTelemetry({ tracerProvider: environment.tracerProvider, meterProvider: environment.meterProvider });
  const azure = createAzure({
    baseURL: `${environment.endpoints.azure}/openai`,
    apiKey: environment.environment.AZURE_OPENAI_API_KEY ?? 'sim-key',
    apiVersion: '2024-10-21',
    useDeploymentBasedUrls: true,
    fetch: environment.fetch,
  });
  return agentOn(azure.chat(environment.environment.AZURE_OPENAI_DEPLOYMENT ?? 'support-gpt-4o'), telemetry, {
    id: 'ai-sdk-azure',
    route: 'azure',
    routeLabel: 'Azure OpenAI deployment support-gpt-4o',
  });
}
