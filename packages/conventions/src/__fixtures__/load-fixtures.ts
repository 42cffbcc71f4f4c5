import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RouteObservation } from '../types';

/** Directory of the recorded gateway exchanges (copied from the shared research fixtures). */
export const fixturesDirectory = import.meta.dirname;

/** One recorded exchange: request, response headers and body, the collector's reading. */
export interface Fixture {
  request: { url: string; body?: { model?: string } };
  response: { status?: number; headers?: Record<string, string | string[]>; body?: unknown; body_raw?: string };
}

/** Every fixture file name. */
export function fixtureFiles(): string[] {
  return readdirSync(fixturesDirectory).filter((file) => file.endsWith('.json')).sort();
}

/** Reads one fixture. */
export function loadFixture(file: string): Fixture {
  return JSON.parse(readFileSync(join(fixturesDirectory, file), 'utf8')) as Fixture;
}

/** A recorded exchange as a plugin would observe it: the raw body text when the recording kept it. */
export function observationOf(fixture: Fixture): RouteObservation {
  return {
    url: fixture.request.url,
    ...(fixture.request.body?.model ? { requestModel: fixture.request.body.model } : {}),
    ...(fixture.response.headers ? { responseHeaders: fixture.response.headers } : {}),
    responseBody: fixture.response.body_raw ?? fixture.response.body,
    ...(fixture.response.status ? { status: fixture.response.status } : {}),
  };
}
