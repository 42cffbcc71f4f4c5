import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { langChainInvoke, langChainModel, langChainStream } from './calls/langchain';
import { installLangfuseLangChain } from './peers/langfuse-langchain';
import { chatRoutes, type ChatRoute } from './testing/routes';
import { createPeerTelemetry } from './testing/telemetry';

// Zero-code mode over Langfuse's LangChain CallbackHandler: its `generation` observations carry
// the model name and LangChain's `ls_provider` label only.
const telemetry = createPeerTelemetry({ route: true });
const { handler, uninstall } = installLangfuseLangChain(telemetry.tracerProvider);
let sim: GatewaySim;
let routes: Record<ChatRoute['name'], ChatRoute>;

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 7 });
  routes = Object.fromEntries(chatRoutes(sim).map((route) => [route.name, route])) as typeof routes;
});
afterAll(async () => {
  uninstall();
  await sim?.close();
  await telemetry.shutdown();
});
beforeEach(() => telemetry.reset());

describe('Langfuse LangChain CallbackHandler + RouteSpanProcessor over gateway-sim', () => {
  describe.each([
    ['invoke', (route: ChatRoute) => langChainInvoke(langChainModel(route), [handler])],
    ['stream', (route: ChatRoute) => langChainStream(langChainModel(route), [handler])],
  ] as const)('%s', (_mode, call) => {
    it.each(['openrouter', 'litellm', 'vercel', 'azure', 'openai'] as const)(
      '%s: the generation span is left exactly as Langfuse made it (nothing on it may decide)',
      async (name) => {
        await call(routes[name]);
        const generations = telemetry.spans().filter((span) => span.attributes['langfuse.observation.type'] === 'generation');
        expect(generations).toHaveLength(1);
        const attributes = generations[0]!.attributes;
        expect(Object.keys(attributes).filter((key) => key.startsWith('gen_ai.'))).toEqual([]);
        expect(attributes['langfuse.observation.metadata.ls_provider']).toBe(name === 'azure' ? 'azure' : 'openai');
      },
    );
  });
});
