/**
 * Workers AI reached directly (`api.cloudflare.com/client/v4/accounts/{id}/ai/…`, not through
 * the AI Gateway): Cloudflare serving open models itself, a multi-vendor cloud like Bedrock.
 * Upstream = the model's vendor from its `@cf/{vendor}/{model}` id (or the model family); the
 * host decides, since `api.cloudflare.com` answers AI calls only for Workers AI.
 */
import { text } from '../../shared/json';
import { modelVendor } from '../../vocabulary';
import { bodyModel, hop, pathSegments } from '../helpers';
import type { HopFacts, RouteRule } from '../rule';

// `@cf/meta/…`, `@hf/mistral/…`: the segment after the namespace names the vendor.
function vendorOf(model: string | undefined): string | undefined {
  if (!model) return undefined;
  const match = /^@(?:cf|hf)\/([^/]+)\//.exec(model);
  return modelVendor(match ? `${match[1]}/${model.slice(match[0].length)}` : model);
}

/** The Workers AI rule. */
export const workersAi: RouteRule = {
  id: 'cloudflare.workers_ai',
  role: 'cloud',
  hosts: ['api.cloudflare.com'],
  hints: ['workersai', 'cloudflareworkersai'],
  expand(context, position) {
    const result: HopFacts = {};
    const served = bodyModel(context);
    if (served) result.responseModel = served;
    const segments = pathSegments(context);
    const pathModel = segments[4] === 'ai' && segments[5] === 'run' ? segments.slice(6).join('/') : undefined;
    const model = position.outer ? (context.requestModel ?? text(pathModel) ?? served?.value) : position.vendorModel;
    const vendor = vendorOf(model) ?? vendorOf(served?.value);
    if (vendor) result.next = hop(vendor, 'model_id', 'cloud-model-id');
    if (position.outer && !context.requestModel && pathModel) result.requestModel = pathModel;
    return result;
  },
};
