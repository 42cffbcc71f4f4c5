import { describe, expect, it } from 'vitest';
import { langChainInvoke, langChainModel, langChainStream } from './calls/langchain';
import { installLangfuseLangChain } from './peers/langfuse-langchain';
import type { ChatRoute } from './testing/routes';
import { setUpPeerTest } from './testing/harness';

// Zero-code mode over Langfuse's LangChain CallbackHandler: its `generation` observations carry
// the model name and LangChain's `ls_provider` label only.
const { telemetry, peer, routes: simRoutes } = setUpPeerTest(installLangfuseLangChain);

describe('Langfuse LangChain CallbackHandler + RouteSpanProcessor over gateway-sim', () => {
  describe.each([
    ['invoke', (route: ChatRoute) => langChainInvoke(langChainModel(route), [peer.handler])],
    ['stream', (route: ChatRoute) => langChainStream(langChainModel(route), [peer.handler])],
  ] as const)('%s', (_mode, call) => {
    it.each(['openrouter', 'litellm', 'vercel', 'azure', 'openai'] as const)(
      '%s: the generation span is left exactly as Langfuse made it (nothing on it may decide)',
      async (name) => {
        await call(simRoutes()[name]);
        const generations = telemetry.spans().filter((span) => span.attributes['langfuse.observation.type'] === 'generation');
        expect(generations).toHaveLength(1);
        const attributes = generations[0]!.attributes;
        expect(Object.keys(attributes).filter((key) => key.startsWith('gen_ai.'))).toEqual([]);
        expect(attributes['langfuse.observation.metadata.ls_provider']).toBe(name === 'azure' ? 'azure' : 'openai');
      },
    );
  });
});
