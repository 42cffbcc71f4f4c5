import { describe, expect, it } from 'vitest';
import { fixtureFiles, loadFixture, observationOf } from './__fixtures__/load-fixtures';
import { deriveRoute } from './derive-route';
import { routeAttributes } from './route-attributes';
import type { RouteObservation } from './types';

const SECRET = 'SECRET-7f3a9c';

function withSecretQuery(url: string): string {
  return url.includes('?') ? `${url}&api-key=${SECRET}-query&sig=${SECRET}-sig` : `${url}?api-key=${SECRET}-query&sig=${SECRET}-sig`;
}

function withSecretHeaders(headers: RouteObservation['responseHeaders']): Record<string, string | string[]> {
  const plain: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries((headers ?? {}) as Record<string, string | string[]>)) plain[name] = value;
  return {
    ...plain,
    authorization: `Bearer ${SECRET}-authorization`,
    'api-key': `${SECRET}-api-key`,
    'x-api-key': `${SECRET}-x-api-key`,
    cookie: `session=${SECRET}-cookie`,
    'set-cookie': [`__cf_bm=${SECRET}-set-cookie; Path=/`, `other=${SECRET}-set-cookie-2`],
    'llm_provider-authorization': `Bearer ${SECRET}-pass-through`,
    // Headers the rules do read, carrying credentials in places they must never be copied from.
    'x-litellm-model-api-base': `https://user:${SECRET}-userinfo@x-example.openai.azure.com/?api-key=${SECRET}-api-base`,
  };
}

function allOutputs(observation: RouteObservation): string {
  const attribution = deriveRoute(observation);
  return JSON.stringify([attribution, routeAttributes(attribution), routeAttributes(attribution, { semconv: 'latest' })]);
}

describe('no secret ever reaches an attribute', () => {
  it.each(fixtureFiles())('%s with authorization, api-key, cookies and a keyed query string', (file) => {
    const observation = observationOf(loadFixture(file));
    const url = typeof observation.url === 'string' ? observation.url : String(observation.url);
    const secretObservation: RouteObservation = {
      ...observation,
      url: withSecretQuery(url),
      responseHeaders: withSecretHeaders(observation.responseHeaders),
    };
    const output = allOutputs(secretObservation);
    expect(output).not.toContain(SECRET);
    // The route itself still comes through (the secrets changed nothing but noise): compared with
    // the same headers carrying no credentials (the api-base header alone already means LiteLLM).
    const cleanObservation: RouteObservation = {
      ...observation,
      responseHeaders: { ...(observation.responseHeaders as Record<string, string>), 'x-litellm-model-api-base': 'https://x-example.openai.azure.com/' },
    };
    expect(deriveRoute(secretObservation)).toEqual(deriveRoute(cleanObservation));
  });

  it('holds for every header shape and for URL objects', () => {
    const url = new URL(`https://res.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21&api-key=${SECRET}`);
    for (const responseHeaders of [
      new Headers({ authorization: SECRET, 'apim-request-id': 'a1', 'set-cookie': `s=${SECRET}` }),
      [
        ['Authorization', SECRET],
        ['Cookie', SECRET],
      ] as Array<[string, string]>,
    ]) {
      expect(allOutputs({ url, responseHeaders })).not.toContain(SECRET);
    }
  });

  it('holds for URLs that do not parse', () => {
    const observation = { url: `https://bedrock-runtime.<AWS_REGION>.amazonaws.com/model/x.y/converse?X-Amz-Signature=${SECRET}` };
    expect(allOutputs(observation)).not.toContain(SECRET);
  });
});
