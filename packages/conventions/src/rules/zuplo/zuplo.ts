/**
 * Zuplo AI Gateway (`{app}.zuplo.app`, custom domains): an independent gateway whose Universal
 * API speaks OpenAI's (`/v1/chat/completions`, `/v1/embeddings`, …). The provider and model an
 * app calls, and its fallbacks, live in the app's configuration, not on the wire, so only a
 * fingerprint unique to the provider, passed through in the response, names the upstream. Every
 * Zuplo response carries the request id `zp-rid` (Zuplo logging docs). `*.zuplo.app` hosts any
 * API, so the host alone means Zuplo AI Gateway only on its inference routes.
 * Evidence: documentation only; no recorded response was found.
 */
import { text } from '../../shared/json';
import { bodyModel } from '../helpers';
import type { HopFacts, RouteRule, RuleContext } from '../rule';

const ZUPLO_HOST = /\.zuplo\.(?:app|dev)$/;
const INFERENCE_PATH = /^\/v1\/(?:chat\/completions|completions|embeddings|responses|messages)\/?$/;

function onInferenceRoute(context: RuleContext): boolean {
  return context.host !== undefined && ZUPLO_HOST.test(context.host) && INFERENCE_PATH.test(context.pathname);
}

/** The Zuplo AI Gateway rule. */
export const zuplo: RouteRule = {
  id: 'zuplo',
  role: 'gateway',
  matchesHost: (host) => ZUPLO_HOST.test(host),
  hints: ['zuplo'],
  expand(context, position) {
    const result: HopFacts = {};
    if (!position.outer) return result;
    const requestId = text(context.headers.get('zp-rid'));
    if (requestId) result.requestId = requestId;
    if (!onInferenceRoute(context)) return result;
    const fingerprint = context.headerFingerprint() ?? context.bodyFingerprint();
    if (fingerprint && fingerprint.provider !== 'zuplo') result.next = fingerprint;
    const model = bodyModel(context);
    if (model) result.responseModel = model;
    result.vendorModel = model?.value;
    return result;
  },
};
