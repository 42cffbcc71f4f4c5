import { describe, expect, it } from 'vitest';
import { deriveRoute } from '../../derive-route';

describe('vercel rule', () => {
  it('reads the cost the gateway reports (a string in providerMetadata)', () => {
    const attribution = deriveRoute({
      providerHint: 'gateway',
      providerMetadata: { gateway: { cost: '0.003576', generationId: 'gen_01KKHTSS76ZWQA66RPG21X3C5R', routing: { finalProvider: 'anthropic', attempts: [{ provider: 'anthropic', success: true, providerApiModelId: 'claude-sonnet-4-20250514' }] } } },
    });
    expect(attribution).toMatchObject({ gateway: 'vercel', upstream: 'anthropic', cost: 0.003576, requestId: 'gen_01KKHTSS76ZWQA66RPG21X3C5R', attempts: 1, fallback: false });
  });

  it('never takes resolvedProvider (the plan) as the upstream', () => {
    const attribution = deriveRoute({ providerHint: 'gateway', providerMetadata: { gateway: { routing: { resolvedProvider: 'anthropic' } } } });
    expect(attribution.gateway).toBe('vercel');
    expect(attribution.upstream).toBeUndefined();
  });

  it('recognises the gateway from its generation id alone', () => {
    const attribution = deriveRoute({ url: 'http://127.0.0.1:9/v1/chat/completions', responseBody: { id: 'gen_01KKHTPN1QBWX0ERVPTF7D28P2', model: 'm' } });
    expect(attribution).toMatchObject({ system: 'vercel', gateway: 'vercel' });
    expect(attribution.upstream).toBeUndefined();
  });
});
