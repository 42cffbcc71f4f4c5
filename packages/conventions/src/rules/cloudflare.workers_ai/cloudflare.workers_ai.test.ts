import { describe, expect, it } from 'vitest';
import { deriveRoute } from '../../derive-route';

describe('cloudflare.workers_ai rule', () => {
  it('reads the vendor from a @cf/{vendor}/ model on the REST run route', () => {
    const attribution = deriveRoute({ url: 'https://api.cloudflare.com/client/v4/accounts/a1/ai/run/@cf/mistral/mistral-7b-instruct-v0.1', status: 200 });
    expect(attribution).toMatchObject({ system: 'cloudflare.workers_ai', upstream: 'mistral_ai', requestModel: '@cf/mistral/mistral-7b-instruct-v0.1' });
  });
});
