import type { GatewaySim } from '@servedby/gateway-sim';

/** Credentials the simulator accepts: never real ones. */
export const TEST_API_KEY = 'sk-servedby-test';

/** Header the simulator reads to pick the upstream a gateway reports for one request. */
export const UPSTREAM_HEADER = 'x-sim-upstream';
/** Header the simulator reads to pick a failure or preset scenario for one request. */
export const SCENARIO_HEADER = 'x-sim-scenario';

/** Base URLs of the simulated gateways, for OpenAI-compatible providers. */
export function openAiCompatibleBaseUrls(sim: GatewaySim) {
  return {
    openrouter: sim.baseUrls.openrouter,
    litellm: sim.baseUrls.litellm,
    vercel: sim.baseUrls.vercel,
    openai: sim.baseUrls.openai,
  };
}
