import { describe, expect, it } from 'vitest';
import { deriveRoute } from '../../derive-route';

describe('gcp.vertex_ai rule', () => {
  it('reads the global location as a scope, a regional one as the region', () => {
    const global = deriveRoute({ url: 'https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/google/models/gemini-2.0-flash:generateContent', status: 200 });
    expect(global).toMatchObject({ upstream: 'google', regionScope: 'global' });
    expect(global.region).toBeUndefined();
    const regional = deriveRoute({ url: 'https://europe-west4-aiplatform.googleapis.com/v1/projects/p/locations/europe-west4/publishers/mistralai/models/mistral-large:rawPredict', status: 200 });
    expect(regional).toMatchObject({ upstream: 'mistral_ai', region: 'europe-west4' });
  });

  it('names Vertex from a msg_vrtx_ Claude body', () => {
    expect(deriveRoute({ responseBody: { id: 'msg_vrtx_01', type: 'message', model: 'claude-3-7-sonnet-20250219' } })).toMatchObject({ gateway: 'gcp.vertex_ai', upstream: 'anthropic' });
  });
});
