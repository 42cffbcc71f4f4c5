/**
 * The ordered list of rules, one line per rule. Order only breaks ties between signals of the
 * same kind and strength (two unique header fingerprints in one response); which signal wins is
 * otherwise decided by its declared kind (see `rule.ts`). Adding a gateway: one module in
 * `rules/<id>/<id>.ts`, one line here, its recordings beside it (see the package README).
 */
import { awsBedrock } from './aws.bedrock/aws.bedrock';
import { azure } from './azure/azure';
import { cloudflare } from './cloudflare/cloudflare';
import { vertex } from './gcp.vertex_ai/gcp.vertex_ai';
import { helicone } from './helicone/helicone';
import { huggingface } from './huggingface/huggingface';
import { kong } from './kong/kong';
import { litellm } from './litellm/litellm';
import { openrouter } from './openrouter/openrouter';
import { portkey } from './portkey/portkey';
import { directProviderRules } from './providers/providers';
import type { RouteRule } from './rule';
import { vercel } from './vercel/vercel';

/** Every rule, gateways first, then clouds, then direct providers. */
export const RULES: readonly RouteRule[] = [
  openrouter,
  vercel,
  litellm,
  portkey,
  cloudflare,
  helicone,
  kong,
  huggingface,
  azure,
  awsBedrock,
  vertex,
  ...directProviderRules,
];
