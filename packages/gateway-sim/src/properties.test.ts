import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incomingTraceContext, parseTraceparent } from './broadcast';
import { callCost } from './pricing';
import { liteLlmPolicy, openRouterPolicy, planRoute, vercelPolicy } from './routing';
import { startGatewaySim } from './server';
import type { GatewaySim } from './types';

/** Hostile input for the request-side readers: any JSON, prototype names, odd ids. */
const hostileName = fc.oneof(fc.constantFrom('constructor', '__proto__', 'toString', 'hasOwnProperty', '', ' ', 'Amazon Bedrock', 'anthropic'), fc.string({ maxLength: 40 }));
const hostileValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.array(hostileName, { maxLength: 40 }), hostileName);

describe('parsers over hostile input', () => {
  it('trace context: never throws, yields only OTLP-shaped ids', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.dictionary(hostileName, hostileValue), (traceparent, trace) => {
        const fromHeader = parseTraceparent(traceparent);
        const fromBody = incomingTraceContext({ trace }, { traceparent });
        for (const context of [fromHeader, fromBody]) {
          if (!context) continue;
          expect(context.traceId).toMatch(/^[0-9a-f]{32}$/);
          if (context.parentSpanId !== undefined) expect(context.parentSpanId).toMatch(/^[0-9a-f]{16}$/);
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it('policies: never throw, keep only bounded string lists', () => {
    fc.assert(
      fc.property(fc.dictionary(hostileName, hostileValue), hostileValue, hostileValue, (body, provider, gateway) => {
        const shaped = { ...body, provider, providerOptions: { gateway }, fallbacks: provider, models: gateway };
        for (const policy of [openRouterPolicy(shaped), vercelPolicy(shaped), liteLlmPolicy(shaped)]) {
          for (const list of [policy.order, policy.only, policy.ignore, policy.models]) {
            if (list === undefined) continue;
            expect(list.length).toBeLessThanOrEqual(32);
            expect(list.every((item) => typeof item === 'string' && item.length > 0)).toBe(true);
          }
          expect(typeof policy.allowFallbacks).toBe('boolean');
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it('planRoute: serves only an allowed, working candidate; attempts are bounded', () => {
    fc.assert(
      fc.property(
        fc.array(hostileName, { maxLength: 6 }),
        fc.record({ order: fc.option(fc.array(hostileName, { maxLength: 4 }), { nil: undefined }), only: fc.option(fc.array(hostileName, { maxLength: 4 }), { nil: undefined }), ignore: fc.option(fc.array(hostileName, { maxLength: 4 }), { nil: undefined }), allowFallbacks: fc.boolean(), models: fc.option(fc.array(hostileName, { maxLength: 3 }), { nil: undefined }) }),
        fc.array(hostileName, { maxLength: 4 }),
        (pool, policy, down) => {
          const models = ['m', ...(policy.models ?? [])];
          const plan = planRoute({ models, candidates: () => pool, policy, canonical: (name) => name, isDown: (name) => down.includes(name), downStatus: 429 });
          expect(plan.attempts.length).toBeLessThanOrEqual(models.length * (pool.length + (policy.order?.length ?? 0)));
          if (plan.served) {
            expect(plan.attempts.at(-1)).toBe(plan.served);
            expect(down).not.toContain(plan.served.upstream);
            if (policy.only) expect(policy.only).toContain(plan.served.upstream);
            expect(policy.ignore ?? []).not.toContain(plan.served.upstream);
            if (!policy.allowFallbacks && policy.order?.length) expect(policy.order).toContain(plan.served.upstream);
          }
          expect(plan.attempts.filter((attempt) => attempt.success).length).toBe(plan.served ? 1 : 0);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('callCost: finite, non-negative, for any model or upstream name (own keys only)', () => {
    fc.assert(
      fc.property(hostileName, hostileName, fc.nat(1e7), fc.nat(1e7), (model, upstream, prompt, completion) => {
        const cost = callCost(model, upstream, prompt, completion);
        for (const value of [cost.prompt, cost.completion, cost.total]) expect(Number.isFinite(value) && value >= 0).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('the gateways over hostile request fields (real HTTP)', () => {
  let sim: GatewaySim;
  beforeAll(async () => {
    sim = await startGatewaySim({ port: 0, seed: 1, otlpEndpoint: 'http://127.0.0.1:9' });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('never answers 500 and never crashes, whatever the routing and trace fields hold', async () => {
    const paths = [`${sim.baseUrls.openrouter}/chat/completions`, `${sim.baseUrls.vercel}/chat/completions`, `${sim.url}/vercel/v4/ai/language-model`, `${sim.baseUrls.litellm}/chat/completions`, sim.baseUrls.kong];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        fc.oneof(hostileName, fc.constantFrom('constructor/x', '__proto__/y', 'anthropic/claude-haiku-4.5', 'toString')),
        hostileValue,
        hostileValue,
        fc.option(fc.constantFrom('{"down":["anthropic","constructor"]}', 'rate-limit', 'gateway-rate-limit', 'cache-hit', '{"upstream":"__proto__"}'), { nil: undefined }),
        async (url, model, provider, trace, scenario) => {
          const headers: Record<string, string> = { 'content-type': 'application/json', 'ai-language-model-id': model || 'x' };
          if (scenario) headers['x-sim-scenario'] = scenario;
          const body = { model, messages: [{ role: 'user', content: 'hi' }], prompt: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], provider, models: provider, fallbacks: trace, trace, providerOptions: { gateway: provider } };
          const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
          await response.arrayBuffer();
          expect(response.status).not.toBe(500);
        },
      ),
      { numRuns: 400 },
    );
  });
});
