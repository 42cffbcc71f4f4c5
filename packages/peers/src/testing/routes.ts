import type { GatewaySim } from '@servedby/gateway-sim';

/** The API key every client sends to gateway-sim (it checks none). */
export const TEST_API_KEY = 'sk-servedby-peers-test';
/** gateway-sim's per-request scenario header: which upstream the gateway reports. */
export const UPSTREAM_HEADER = 'x-sim-upstream';
/** Static test credentials for the AWS SDK (gateway-sim accepts any SigV4 signature). */
export const TEST_CREDENTIALS = { accessKeyId: 'AKIDSERVEDBYPEERS', secretAccessKey: 'servedby-peers-secret' };

/** An OpenAI-compatible route of gateway-sim, as a client configured for it would call it. */
export interface ChatRoute {
  /** Short name used in test titles and bench rows. */
  name: 'openrouter' | 'litellm' | 'vercel' | 'azure' | 'openai';
  /** The `baseURL` an OpenAI-compatible client gets (Azure: the resource endpoint). */
  baseURL: string;
  /** The model (Azure: the deployment) the code asks for. */
  model: string;
  /** The upstream gateway-sim is told to report. */
  upstream?: string;
  /** Extra request headers (the scenario header). */
  headers: Record<string, string>;
}

/** The OpenAI-compatible routes every openai / LangChain / AI SDK peer is run over. */
export function chatRoutes(sim: GatewaySim): ChatRoute[] {
  const route = (name: ChatRoute['name'], baseURL: string, model: string, upstream?: string): ChatRoute => ({
    name,
    baseURL,
    model,
    ...(upstream ? { upstream } : {}),
    headers: upstream ? { [UPSTREAM_HEADER]: upstream } : {},
  });
  return [
    route('openrouter', sim.baseUrls.openrouter, 'anthropic/claude-haiku-4.5', 'Amazon Bedrock'),
    route('litellm', sim.baseUrls.litellm, 'chat-small', 'aws.bedrock'),
    route('vercel', sim.baseUrls.vercel, 'anthropic/claude-sonnet-4', 'anthropic'),
    route('azure', sim.baseUrls.azure, 'gpt-4o-eastus'),
    route('openai', sim.baseUrls.openai, 'gpt-4o'),
  ];
}

/** Azure OpenAI API version the Azure clients send. */
export const AZURE_API_VERSION = '2024-12-01-preview';
