import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { aiSdkGenerate, aiSdkModel, aiSdkStream } from './calls/ai-sdk';
import { installAiSdkOtel } from './peers/ai-sdk-otel';
import { BODY_MODEL, GATEWAY_FROM_RESPONSE_ID } from './testing/expectations';
import { chatRoutes, type ChatRoute } from './testing/routes';
import { routeView } from './testing/route-view';
import { createPeerTelemetry } from './testing/telemetry';

// Zero-code mode over `@ai-sdk/otel` (AI SDK 7, `providerMetadata: true`) with `@ai-sdk/openai`
// pointed at each OpenAI-compatible route: the `chat` span has `server.address`, the response id
// and model, and `ai.response.providerMetadata` — which `@ai-sdk/openai` fills with `{ openai: … }`
// only, so no gateway's served-by field reaches it.
const telemetry = createPeerTelemetry({ route: true });
const { uninstall } = installAiSdkOtel(telemetry.tracerProvider);
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

function spanNamed(prefix: string) {
  const spans = telemetry.spans().filter((span) => span.name.startsWith(prefix));
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

describe('@ai-sdk/otel + RouteSpanProcessor over gateway-sim', () => {
  describe.each([
    ['generateText', (route: ChatRoute) => aiSdkGenerate(aiSdkModel(route))],
    ['streamText', (route: ChatRoute) => aiSdkStream(aiSdkModel(route))],
  ] as const)('%s', (_mode, call) => {
    it.each(['openrouter', 'litellm', 'vercel', 'openai'] as const)(
      '%s on a loopback host: no upstream (no served-by field reaches the span); the gateway only where the response id proves it',
      async (name) => {
        expect(await call(routes[name])).toBe('Hello from the gateway simulator.');
        const chat = spanNamed('chat ');
        expect(chat.attributes['server.address']).toBe('127.0.0.1');
        expect(routeView(chat.attributes)).toEqual({
          // @ai-sdk/otel's own label for @ai-sdk/openai, left as it wrote it
          'gen_ai.provider.name': 'openai',
          'gen_ai.response.model': BODY_MODEL[name],
          ...GATEWAY_FROM_RESPONSE_ID[name],
        });
        expect(spanNamed('invoke_agent ').attributes['gen_ai.route.upstreams']).toBeUndefined();
      },
    );
  });
});
