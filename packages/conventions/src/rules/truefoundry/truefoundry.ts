/**
 * TrueFoundry AI Gateway (SaaS `gateway.truefoundry.ai`; self-hosted on the customer's own
 * host): an independent gateway. Its model ids are `{provider_account}/{model}` where the
 * provider account is a name the customer chose (`openai-main`, `openai-dev`), so the prefix is a
 * model-name prefix on a gateway and never names the upstream (DESIGN.md §2.7); only a
 * fingerprint unique to the provider, passed through in the response, does. TrueFoundry documents
 * request headers (`x-tfy-metadata`, `x-tfy-provider-name`, `x-tfy-retry-config`, …) but no
 * response header that names the provider.
 * Evidence: documentation only; no recorded response was found.
 */
import { bodyModel } from '../helpers';
import type { HopFacts, RouteRule } from '../rule';

const SAAS_HOST = 'gateway.truefoundry.ai';

/** The TrueFoundry AI Gateway rule. */
export const truefoundry: RouteRule = {
  id: 'truefoundry',
  role: 'gateway',
  hosts: [SAAS_HOST],
  hints: ['truefoundry'],
  expand(context, position) {
    const result: HopFacts = {};
    if (!position.outer) return result;
    const fingerprint = context.headerFingerprint() ?? context.bodyFingerprint();
    if (fingerprint && fingerprint.provider !== 'truefoundry') result.next = fingerprint;
    const model = bodyModel(context);
    if (model) result.responseModel = model;
    result.vendorModel = model?.value;
    return result;
  },
};
