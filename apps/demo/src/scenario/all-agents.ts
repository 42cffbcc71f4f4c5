import type { AgentFactory } from './run-scenario';
import { createAiSdkAzureAgent, createAiSdkOpenRouterAgent } from './agents/ai-sdk-agent';
import { createBedrockAgent } from './agents/bedrock-agent';
import { createLangChainAgent, createLangChainKongAgent } from './agents/langchain-agent';
import { createMastraAgent } from './agents/mastra-agent';

/** Every agent implementation of the demo, in the order the terminal lists them. */
export const ALL_AGENTS: Array<{ id: string; create: AgentFactory }> = [
  { id: 'ai-sdk', create: createAiSdkOpenRouterAgent },
  { id: 'ai-sdk-azure', create: createAiSdkAzureAgent },
  { id: 'langchain', create: createLangChainAgent },
  { id: 'langchain-kong', create: createLangChainKongAgent },
  { id: 'mastra', create: createMastraAgent },
  { id: 'bedrock', create: createBedrockAgent },
];
