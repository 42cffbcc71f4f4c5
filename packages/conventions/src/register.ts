/**
 * `import '@servedby/conventions/register'` (or `node --import @servedby/conventions/register app.js`):
 * every GenAI exchange (`fetch`, undici, `node:http`, `node:http2`) made outside a plugin's model
 * call gets a CLIENT span with its route, or puts the route on another instrumentation's model
 * span when one is active; calls a plugin owns are enriched through the plugin. See
 * `enableRouteCapture`.
 *
 * `SERVEDBY_PROPAGATE_TO_GATEWAYS=true` turns on `propagateToGateways` (recognised gateways'
 * hosts); a comma-separated list of hosts (`litellm.internal,10.0.0.5:4000`) adds those.
 */
import { enableRouteCapture } from './capture/observer';
import type { ServedbyOptions } from './types';

function propagationFromEnvironment(): ServedbyOptions['propagateToGateways'] {
  const raw = typeof process !== 'undefined' ? process.env?.SERVEDBY_PROPAGATE_TO_GATEWAYS?.trim() : undefined;
  if (!raw || raw === 'false' || raw === '0') return undefined;
  if (raw === 'true' || raw === '1') return true;
  return { hosts: raw.split(',').map((host) => host.trim()).filter((host) => host.length > 0) };
}

const propagateToGateways = propagationFromEnvironment();
enableRouteCapture({ ownSpans: true, ...(propagateToGateways ? { propagateToGateways } : {}) });
