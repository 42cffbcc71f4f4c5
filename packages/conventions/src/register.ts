/**
 * `import '@servedby/conventions/register'` (or `node --import @servedby/conventions/register app.js`):
 * every GenAI exchange (`fetch`, undici, `node:http`) made outside a plugin's model call gets a
 * CLIENT span with its route, or puts the route on another instrumentation's model span when one
 * is active; calls a plugin owns are enriched through the plugin. See `enableRouteCapture`.
 */
import { enableRouteCapture } from './capture/observer';

enableRouteCapture({ ownSpans: true });
