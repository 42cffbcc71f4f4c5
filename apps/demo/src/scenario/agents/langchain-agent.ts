import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { captureRouteFetch } from '@servedby/conventions';
import { createRouteCallbackHandler } from '@servedby/langchain';
import { createAgent } from 'langchain';
import { z } from 'zod';
import type { AgentEnvironment, SupportAgent } from '../agent';
import { currentSimPlan } from '../sim-plan';
import { LOOKUP_ORDER_DESCRIPTION, lookupOrder, SUPPORT_SYSTEM_PROMPT } from '../support-data';

/** The LangChain.js support agent on one OpenAI-compatible route. */
function langChainAgentOn(
  environment: AgentEnvironment,
  route: { baseURL: string; model: string; apiKey: string },
  description: Pick<SupportAgent, 'id' | 'route' | 'routeLabel'>,
): SupportAgent {
  const lookupOrderTool = tool(
    async ({ orderId }: { orderId: string }) => JSON.stringify(lookupOrder(orderId, currentSimPlan()?.orderId)),
    {
      name: 'lookup_order',
      description: LOOKUP_ORDER_DESCRIPTION,
      schema: z.object({ orderId: z.string().describe('The order id, e.g. A1001') }),
    },
  );
  const model = new ChatOpenAI({
    model: route.model,
    apiKey: route.apiKey,
    maxRetries: 0,
    configuration: { baseURL: route.baseURL, fetch: captureRouteFetch(environment.fetch) },
  });
  const agent = createAgent({ model, tools: [lookupOrderTool], systemPrompt: SUPPORT_SYSTEM_PROMPT });
  const handler = createRouteCallbackHandler({ tracerProvider: environment.tracerProvider, meterProvider: environment.meterProvider });

  return {
    ...description,
    framework: 'LangChain.js + @servedby/langchain',
    async answer(question) {
      const result = await agent.invoke({ messages: [{ role: 'user', content: question }] }, { callbacks: [handler], recursionLimit: 10 });
      const last = result.messages[result.messages.length - 1];
      const content = last?.content;
      return typeof content === 'string' ? content : JSON.stringify(content ?? '');
    },
  };
}

/**
 * The support agent on LangChain.js (`createAgent`, a LangGraph agent) through a LiteLLM proxy
 * whose `gpt-4o` is an Azure deployment with OpenAI as fallback on 429s. Attributed by
 * `createRouteCallbackHandler()` from @servedby/langchain; `captureRouteFetch()` lets it read
 * LiteLLM's headers.
 */
export function createLangChainAgent(environment: AgentEnvironment): SupportAgent {
  return langChainAgentOn(
    environment,
    { baseURL: environment.endpoints.litellm, model: 'gpt-4o', apiKey: environment.environment.LITELLM_API_KEY ?? 'sk-litellm-simulator' },
    { id: 'langchain', route: 'litellm', routeLabel: 'LiteLLM gpt-4o (Azure, OpenAI fallback on 429)' },
  );
}

/**
 * The same LangChain.js agent through Kong AI Gateway: an ai-proxy route to OpenAI `gpt-4.1` with
 * AI rate limiting and a semantic cache. (LangChain, not the AI SDK: `@ai-sdk/openai` rejects Kong's
 * cached answers, whose `message.annotations` Kong re-serialises as `{}`, as recorded.)
 */
export function createLangChainKongAgent(environment: AgentEnvironment): SupportAgent {
  return langChainAgentOn(
    environment,
    { baseURL: environment.endpoints.kong, model: 'gpt-4.1', apiKey: environment.environment.KONG_API_KEY ?? 'kong-simulator' },
    { id: 'langchain-kong', route: 'kong', routeLabel: 'Kong AI Gateway, openai/gpt-4.1' },
  );
}
