/**
 * TrueFoundry AI Gateway (SaaS `gateway.truefoundry.ai`; self-hosted on the customer's own
 * host): an independent gateway. Its model ids are `{provider_account}/{model}` where the
 * provider account is a name the customer chose (`openai-main`, `openai-dev`), so the prefix is a
 * model-name prefix on a gateway and never names the upstream (DESIGN.md §2.7); only a
 * fingerprint unique to the provider, passed through in the response, does. TrueFoundry documents
 * request headers (`x-tfy-metadata`, `x-tfy-provider-name`, `x-tfy-retry-config`, …); on the
 * response it sends `x-tfy-resolved-model`, the target (`{provider_account}/{model}`) a virtual
 * model resolved to (also after a fallback), `x-tfy-applied-rules` and
 * `x-tfy-feedback-target-id`. Those headers recognise TrueFoundry on a self-hosted host and name
 * the deployment; the account prefix in them still names no provider.
 * Evidence: documentation and public client code that reads those response headers (several
 * independent projects, one "verified live"); no recorded response was found.
 */
import { text } from '../../shared/json';
import { bodyModel, signal } from '../helpers';
import type { HopFacts, RouteRule } from '../rule';

// Response headers only the TrueFoundry gateway sends.
const OWN_HEADERS = ['x-tfy-resolved-model', 'x-tfy-applied-rules', 'x-tfy-feedback-target-id'];

const SAAS_HOST = 'gateway.truefoundry.ai';

/** The TrueFoundry AI Gateway rule. */
export const truefoundry: RouteRule = {
  id: 'truefoundry',
  role: 'gateway',
  hosts: [SAAS_HOST],
  hints: ['truefoundry'],
  recognise(context) {
    const header = OWN_HEADERS.find((name) => context.headers.has(name));
    return header ? { signal: signal(`header.${header}`, 'fingerprint'), source: 'header' } : undefined;
  },
  expand(context, position) {
    const result: HopFacts = {};
    if (!position.outer) return result;
    // The target a virtual model resolved to: a deployment of the customer's, never a provider id.
    const resolved = text(context.headers.get('x-tfy-resolved-model'));
    if (resolved) result.deployment = resolved;
    const fingerprint = context.headerFingerprint() ?? context.bodyFingerprint();
    if (fingerprint && fingerprint.provider !== 'truefoundry') result.next = fingerprint;
    const model = bodyModel(context);
    if (model) result.responseModel = model;
    result.vendorModel = model?.value;
    return result;
  },
};
