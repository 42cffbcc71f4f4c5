import { isSpanContextValid, trace, type Context, type Span, type SpanContext } from '@opentelemetry/api';
import { ruleOfHost } from '../rules/catalog';
import type { GatewayPropagationOptions, ServedbyOptions } from '../types';
import { splitUrl } from '../shared/url';

/** What {@link ServedbyOptions.propagateToGateways} resolved to. @internal */
export interface GatewayPropagation {
  readonly hosts: ReadonlySet<string>;
  readonly gatewayOfHost: Readonly<Record<string, string>>;
}

/** Resolves the option; `undefined` when propagation is off. @internal */
export function resolveGatewayPropagation(option: ServedbyOptions['propagateToGateways']): GatewayPropagation | undefined {
  if (!option) return undefined;
  const extra: GatewayPropagationOptions = option === true ? {} : option;
  const hosts = new Set<string>();
  for (const host of extra.hosts ?? []) if (typeof host === 'string' && host.length > 0) hosts.add(host.toLowerCase());
  const gatewayOfHost: Record<string, string> = {};
  for (const [host, gateway] of Object.entries(extra.gatewayOfHost ?? {})) {
    if (typeof gateway === 'string') {
      gatewayOfHost[host.toLowerCase()] = gateway;
      hosts.add(host.toLowerCase());
    }
  }
  return { hosts, gatewayOfHost };
}

/**
 * The gateway a request URL goes to, when the trace context may be sent there: a recognised
 * gateway's own host (rule registry), or a host the user named. `undefined` for everything else —
 * a direct provider, a cloud, an unknown host never receives the context.
 * @internal
 */
export function propagationTarget(url: string, propagation: GatewayPropagation): { gateway?: string } | undefined {
  const { host } = splitUrl(url);
  if (host === undefined) return undefined;
  const port = portOf(url);
  const named = propagation.hosts.has(host) || (port !== undefined && propagation.hosts.has(`${host}:${port}`));
  if (named) return { gateway: propagation.gatewayOfHost[host] ?? (port !== undefined ? propagation.gatewayOfHost[`${host}:${port}`] : undefined) };
  try {
    const rule = ruleOfHost(host);
    return rule?.role === 'gateway' ? { gateway: rule.id } : undefined;
  } catch {
    return undefined;
  }
}

function portOf(url: string): string | undefined {
  const match = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^:/?#]*):(\d+)/i.exec(url);
  return match?.[1];
}

/** The span whose context a bound exchange passes on: its own span, else the model span active when it started. @internal */
export function propagatedSpanContext(ownSpan: Span | undefined, parentContext: Context): SpanContext | undefined {
  const spanContext = (ownSpan ?? trace.getSpan(parentContext))?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** The W3C `traceparent` of a span context (version 00). @internal */
export function traceparentOf(spanContext: SpanContext): string {
  return `00-${spanContext.traceId}-${spanContext.spanId}-${(spanContext.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

// Larger request bodies are passed through untouched rather than parsed.
const MAX_INJECTED_BODY_LENGTH = 1024 * 1024;

/**
 * OpenRouter's documented body field for Broadcast: `trace.trace_id` / `trace.parent_span_id`
 * added to a JSON request body that has no `trace` of its own. Returns the new body, or
 * `undefined` to send the original (not JSON, too large, already traced). Never throws.
 * @internal
 */
export function withOpenRouterTrace(body: unknown, spanContext: SpanContext): string | undefined {
  if (typeof body !== 'string' || body.length === 0 || body.length > MAX_INJECTED_BODY_LENGTH) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    if (Object.hasOwn(parsed, 'trace')) return undefined;
    return JSON.stringify({ ...parsed, trace: { trace_id: spanContext.traceId, parent_span_id: spanContext.spanId } });
  } catch {
    return undefined;
  }
}
