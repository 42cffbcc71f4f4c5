import {
  BedrockRuntimeClient,
  ConverseCommand,
  type ContentBlock,
  type Message,
  type Tool,
} from '@aws-sdk/client-bedrock-runtime';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { instrumentBedrock } from '@servedby/bedrock';
import {
  ATTR_GEN_AI_ROUTE_UPSTREAMS,
  contextWithUpstreamsCollector,
  createUpstreamsCollector,
} from '@servedby/conventions';
import type { AgentEnvironment, SupportAgent } from '../agent';
import { currentSimPlan, simHeadersMiddleware } from '../sim-plan';
import { LOOKUP_ORDER_DESCRIPTION, lookupOrder, SUPPORT_SYSTEM_PROMPT } from '../support-data';

/** The Bedrock cross-region inference profiles the agent alternates between. */
export const BEDROCK_PROFILES = [
  'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
  'global.anthropic.claude-sonnet-4-5-20250929-v1:0',
] as const;

const LOOKUP_ORDER_TOOL: Tool = {
  toolSpec: {
    name: 'lookup_order',
    description: LOOKUP_ORDER_DESCRIPTION,
    inputSchema: {
      json: { type: 'object', properties: { orderId: { type: 'string', description: 'The order id, e.g. A1001' } }, required: ['orderId'] },
    },
  },
};

/**
 * The support agent written against the plain AWS SDK (a Converse tool loop), attributed by
 * `instrumentBedrock()` from @servedby/bedrock. Plain SDK code has no agent framework, so the
 * agent and tool spans are made here, with the conventions' upstreams collector for the
 * agent-level `gen_ai.route.upstreams`. Runs alternate between the `us.` and `global.` profiles.
 */
export function createBedrockAgent(environment: AgentEnvironment): SupportAgent {
  const simulated = environment.simulated('bedrock');
  const region = environment.environment.AWS_REGION ?? environment.environment.AWS_DEFAULT_REGION ?? 'us-east-1';
  const client = instrumentBedrock(
    new BedrockRuntimeClient({
      region,
      maxAttempts: 1,
      ...(simulated
        ? { endpoint: environment.endpoints.bedrock, credentials: { accessKeyId: 'SIMULATOR', secretAccessKey: 'simulator-secret' } }
        : {}),
    }),
    { tracerProvider: environment.tracerProvider, meterProvider: environment.meterProvider },
  );
  if (simulated) client.middlewareStack.add(simHeadersMiddleware.middleware as never, simHeadersMiddleware.options);
  const tracer = environment.tracerProvider.getTracer('@servedby/demo');
  let runs = 0;

  return {
    id: 'bedrock',
    framework: 'AWS SDK v3 + @servedby/bedrock',
    route: 'bedrock',
    routeLabel: 'Bedrock, us. and global. Claude profiles',
    async answer(question) {
      const modelId = BEDROCK_PROFILES[runs++ % BEDROCK_PROFILES.length]!;
      const upstreams = createUpstreamsCollector();
      const agentSpan = tracer.startSpan('invoke_agent support-agent', {
        attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support-agent', 'gen_ai.system': 'aws.bedrock' },
      });
      const agentContext = contextWithUpstreamsCollector(trace.setSpan(context.active(), agentSpan), upstreams);
      try {
        return await context.with(agentContext, async () => {
          const messages: Message[] = [{ role: 'user', content: [{ text: question }] }];
          for (let step = 0; step < 4; step += 1) {
            const response = await client.send(
              new ConverseCommand({ modelId, system: [{ text: SUPPORT_SYSTEM_PROMPT }], messages, toolConfig: { tools: [LOOKUP_ORDER_TOOL] } }),
            );
            const content: ContentBlock[] = response.output?.message?.content ?? [];
            messages.push({ role: 'assistant', content });
            const toolUses = content.filter((block) => block.toolUse).map((block) => block.toolUse!);
            if (response.stopReason !== 'tool_use' || toolUses.length === 0) {
              return content.map((block) => block.text ?? '').join('');
            }
            const results: ContentBlock[] = [];
            for (const toolUse of toolUses) {
              const toolSpan = tracer.startSpan('execute_tool lookup_order', {
                attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup_order', 'gen_ai.tool.call.id': toolUse.toolUseId ?? '' },
              });
              const input = (toolUse.input ?? {}) as { orderId?: string };
              const result = lookupOrder(input.orderId, currentSimPlan()?.orderId);
              toolSpan.end();
              results.push({ toolResult: { toolUseId: toolUse.toolUseId, content: [{ json: { ...result } as Record<string, string> }] } });
            }
            messages.push({ role: 'user', content: results });
          }
          return '';
        });
      } catch (error) {
        agentSpan.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        agentSpan.setAttribute(ATTR_GEN_AI_ROUTE_UPSTREAMS, upstreams.values());
        agentSpan.end();
      }
    },
  };
}
