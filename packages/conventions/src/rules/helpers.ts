/**
 * Small readers several rules share. Nothing here knows a gateway.
 */
import { text } from '../shared/json';
import type { HopSignal, ModelSignal, RuleContext, Signal, SignalKind } from './rule';

/** Builds a {@link Signal}. */
export function signal(name: string, kind: SignalKind): Signal {
  return { name, kind };
}

/** Builds a {@link HopSignal}. */
export function hop(provider: string, name: string, kind: SignalKind): HopSignal {
  return { provider, signal: { name, kind } };
}

/** The served model in the response body: first non-empty `model`, else Gemini's `modelVersion`. */
export function bodyModel(context: RuleContext): ModelSignal | undefined {
  const model = text(context.body.model);
  if (model) return { value: model, signal: { name: 'body.model', kind: 'response-field' } };
  const version = text(context.body.modelVersion);
  return version ? { value: version, signal: { name: 'body.modelVersion', kind: 'response-field' } } : undefined;
}

/** A header value as a bounded attribution string. */
export function headerText(context: RuleContext, name: string): string | undefined {
  return text(context.headers.get(name));
}

/** The first header name starting with `prefix`, if any. */
export function firstHeaderWith(context: RuleContext, prefix: string): string | undefined {
  if (context.headers.size === 0) return undefined;
  for (const name of context.headers.names()) if (name.startsWith(prefix)) return name;
  return undefined;
}

/** Region display names (Azure's `West Europe`) become region codes (`westeurope`). */
export function regionCode(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const region = value.slice(0, 128).toLowerCase().replace(/[^a-z0-9]/g, '');
  return region.length > 0 && region.length <= 64 ? region : undefined;
}

/** `true` when the call failed: an HTTP error status or an error object in the body. */
export function failed(context: RuleContext): boolean {
  return (context.status !== undefined && context.status >= 400) || context.body.error === true;
}

/** Path segments without empty ones. */
export function pathSegments(context: RuleContext): string[] {
  return context.once('path-segments', () => context.pathname.split('/').filter((segment) => segment.length > 0).slice(0, 32));
}

/** `true` when the response carries an HTTP error status: someone refused the call. */
export function refused(context: RuleContext): boolean {
  return context.status !== undefined && context.status >= 400;
}

/** The same as {@link regionCode}, under its first-round name. */
export const azureRegion = regionCode;
