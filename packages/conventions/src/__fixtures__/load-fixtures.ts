import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RouteAttribution, RouteObservation } from '../types';

/** Directory of the rule modules; each keeps its real recordings in `<rule>/__fixtures__/`. */
export const rulesDirectory = join(import.meta.dirname, '..', 'rules');

/**
 * One recorded exchange: request, response headers and body, where it was recorded. Recordings
 * of the second round also carry the whole `expected` attribution; a recording of a request that
 * got no response has `response: null`.
 */
export interface Fixture {
  source?: string;
  request: { url: string; headers?: Record<string, string | string[]>; body?: unknown };
  /** `null` in the JSON for a request that got no response. */
  response: { status?: number; headers?: Record<string, string | string[]>; body?: unknown; body_raw?: string };
  /** Extra observation fields a plugin would pass (a region, a framework hint, provider metadata). */
  observation?: Partial<RouteObservation>;
  expected?: RouteAttribution;
}

/** Every rule folder that has recordings. */
export function ruleFolders(): string[] {
  return readdirSync(rulesDirectory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(rulesDirectory, entry.name, '__fixtures__')))
    .map((entry) => entry.name)
    .sort();
}

/** Fixture file names of one rule folder. */
export function ruleFixtureFiles(folder: string): string[] {
  const directory = join(rulesDirectory, folder, '__fixtures__');
  return existsSync(directory) ? readdirSync(directory).filter((file) => file.endsWith('.json')).sort() : [];
}

/** Every fixture file name beside every rule. */
export function fixtureFiles(): string[] {
  return ruleFolders().flatMap(ruleFixtureFiles).sort();
}

/** Reads one fixture by file name, wherever its rule keeps it. */
export function loadFixture(file: string): Fixture {
  for (const folder of ruleFolders()) {
    const path = join(rulesDirectory, folder, '__fixtures__', file);
    if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as Fixture;
  }
  throw new Error(`no fixture named ${file}`);
}

function requestModelOf(body: unknown): string | undefined {
  const model = typeof body === 'object' && body !== null ? (body as { model?: unknown }).model : undefined;
  return typeof model === 'string' && model.length > 0 ? model : undefined;
}

/** A recorded exchange as a plugin would observe it: the raw body text when the recording kept it. */
export function observationOf(fixture: Fixture): RouteObservation {
  const requestModel = requestModelOf(fixture.request.body);
  const response = (fixture.response as Fixture['response'] | null) ?? undefined;
  return {
    url: fixture.request.url,
    ...(requestModel ? { requestModel } : {}),
    ...(response?.headers ? { responseHeaders: response.headers } : {}),
    ...(response ? { responseBody: response.body_raw ?? response.body } : { responseReceived: false }),
    ...(response?.status ? { status: response.status } : {}),
    ...(fixture.request.body !== undefined || fixture.request.headers
      ? { request: { ...(fixture.request.body !== undefined ? { body: fixture.request.body } : {}), ...(fixture.request.headers ? { headers: fixture.request.headers } : {}) } }
      : {}),
    ...fixture.observation,
  };
}
