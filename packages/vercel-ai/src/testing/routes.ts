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

/**
 * A fetch that sends requests for the real Bedrock Runtime endpoint of `region` to the simulator,
 * so the provider builds (and servedby sees) the real regional URL while traffic stays on loopback.
 */
export function bedrockFetchVia(sim: GatewaySim, region: string): typeof fetch {
  const realOrigin = `https://bedrock-runtime.${region}.amazonaws.com`;
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const target = url.startsWith(realOrigin) ? sim.baseUrls.bedrock + url.slice(realOrigin.length) : url;
    return fetch(target, init);
  };
}

/** Fake AWS credentials: the simulator checks the SigV4 shape, never the secret. */
export const TEST_AWS_CREDENTIALS = {
  accessKeyId: 'AKIDSERVEDBYTEST',
  secretAccessKey: 'servedby-test-secret',
} as const;
