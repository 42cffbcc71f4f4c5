import type { RouteKind, ServiceEndpoints } from './agent';

/** Which routes call a real service, and where. */
export interface ResolvedEndpoints {
  endpoints: ServiceEndpoints;
  /** Routes switched to the real service because their credentials are set. */
  real: RouteKind[];
}

/**
 * One switch per provider: a route calls the real service when its usual credentials are in the
 * environment, else gateway-sim. OpenRouter: `OPENROUTER_API_KEY`. LiteLLM: `LITELLM_BASE_URL`
 * (+ `LITELLM_API_KEY`). Vercel AI Gateway: `AI_GATEWAY_API_KEY`. Azure OpenAI:
 * `AZURE_OPENAI_ENDPOINT` + `AZURE_OPENAI_API_KEY` (+ `AZURE_OPENAI_DEPLOYMENT`). Bedrock:
 * `AWS_ACCESS_KEY_ID` or `AWS_PROFILE`, with `AWS_REGION`. Kong: `KONG_BASE_URL` (the route's URL,
 * + `KONG_API_KEY`). `SERVEDBY_DEMO_SIMULATE=1` forces the
 * simulator everywhere.
 */
export function resolveEndpoints(environment: Record<string, string | undefined>, simulator: ServiceEndpoints): ResolvedEndpoints {
  const endpoints = { ...simulator };
  const real: RouteKind[] = [];
  if (environment.SERVEDBY_DEMO_SIMULATE === '1') return { endpoints, real };
  if (environment.OPENROUTER_API_KEY) {
    endpoints.openrouter = 'https://openrouter.ai/api/v1';
    real.push('openrouter');
  }
  if (environment.LITELLM_BASE_URL) {
    endpoints.litellm = environment.LITELLM_BASE_URL.replace(/\/$/, '');
    real.push('litellm');
  }
  if (environment.AI_GATEWAY_API_KEY) {
    endpoints.vercel = 'https://ai-gateway.vercel.sh/v1';
    real.push('vercel');
  }
  if (environment.AZURE_OPENAI_ENDPOINT && environment.AZURE_OPENAI_API_KEY) {
    endpoints.azure = environment.AZURE_OPENAI_ENDPOINT.replace(/\/$/, '');
    real.push('azure');
  }
  if (environment.KONG_BASE_URL) {
    endpoints.kong = environment.KONG_BASE_URL.replace(/\/$/, '');
    real.push('kong');
  }
  if ((environment.AWS_ACCESS_KEY_ID || environment.AWS_PROFILE) && (environment.AWS_REGION || environment.AWS_DEFAULT_REGION)) {
    endpoints.bedrock = '';
    real.push('bedrock');
  }
  return { endpoints, real };
}
