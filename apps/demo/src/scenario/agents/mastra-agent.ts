import { Mastra } from '@mastra/core';
import { Agent } from '@mastra/core/agent';
import { createTool } from '@mastra/core/tools';
import { Observability } from '@mastra/observability';
import { OtelBridge } from '@mastra/otel-bridge';
import { routeSpanProcessor } from '@servedby/mastra';
import { z } from 'zod';
import type { AgentEnvironment, SupportAgent } from '../agent';
import { currentSimPlan, simHeaders } from '../sim-plan';
import { LOOKUP_ORDER_DESCRIPTION, lookupOrder, SUPPORT_SYSTEM_PROMPT } from '../support-data';

/**
 * The support agent on Mastra, through the Vercel AI Gateway, attributed by `routeSpanProcessor()`
 * from @servedby/mastra. Mastra's spans reach OpenTelemetry through `@mastra/otel-bridge`.
 */
export function createMastraAgent(environment: AgentEnvironment): SupportAgent {
  const simulated = environment.simulated('vercel');
  const lookupOrderTool = createTool({
    id: 'lookup_order',
    description: LOOKUP_ORDER_DESCRIPTION,
    inputSchema: z.object({ orderId: z.string().describe('The order id, e.g. A1001') }),
    execute: async (input: { orderId?: string; context?: { orderId?: string } }) =>
      lookupOrder(input.orderId ?? input.context?.orderId, currentSimPlan()?.orderId),
  });
  const agent = new Agent({
    id: 'support-agent',
    name: 'support-agent',
    instructions: SUPPORT_SYSTEM_PROMPT,
    model: {
      id: 'vercel/anthropic/claude-haiku-4.5',
      url: environment.endpoints.vercel,
      apiKey: environment.environment.AI_GATEWAY_API_KEY ?? 'vck-simulator',
    },
    tools: { lookup_order: lookupOrderTool },
  });
  const processor = routeSpanProcessor({ tracerProvider: environment.tracerProvider, meterProvider: environment.meterProvider });
  const mastra = new Mastra({
    agents: { support: agent },
    logger: false,
    observability: new Observability({
      configs: {
        default: {
          serviceName: 'servedby-demo',
          bridge: new OtelBridge({ tracerProvider: environment.tracerProvider }),
          spanOutputProcessors: [processor],
        },
      },
    }),
  });

  return {
    id: 'mastra',
    framework: 'Mastra + @servedby/mastra',
    route: 'vercel',
    routeLabel: 'Vercel AI Gateway, anthropic/claude-haiku-4.5',
    async answer(question) {
      const result = await mastra.getAgent('support').generate(question, {
        maxSteps: 4,
        ...(simulated ? { modelSettings: { headers: simHeaders(), maxRetries: 0 } } : {}),
      });
      return result.text;
    },
    async close() {
      await mastra.observability.getDefaultInstance()?.flush();
      await mastra.shutdown?.();
    },
  };
}
