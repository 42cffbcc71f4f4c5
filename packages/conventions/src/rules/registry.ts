/**
 * The ordered list of rules, one line per rule. Order only breaks ties between signals of the
 * same kind and strength (two unique header fingerprints in one response); which signal wins is
 * otherwise decided by its declared kind (see `rule.ts`). Adding a gateway: one module in
 * `rules/<id>/<id>.ts`, one line here, its recordings beside it (see the package README).
 */
import { awsBedrock } from './aws.bedrock/aws.bedrock';
import { azureApim } from './azure.apim/azure.apim';
import { azure } from './azure/azure';
import { bifrost } from './bifrost/bifrost';
import { cloudflare } from './cloudflare/cloudflare';
import { workersAi } from './cloudflare.workers_ai/cloudflare.workers_ai';
import { databricks } from './databricks/databricks';
import { fastly } from './fastly/fastly';
import { vertex } from './gcp.vertex_ai/gcp.vertex_ai';
import { helicone } from './helicone/helicone';
import { huggingface } from './huggingface/huggingface';
import { kong } from './kong/kong';
import { litellm } from './litellm/litellm';
import { openrouter } from './openrouter/openrouter';
import { portkey } from './portkey/portkey';
import { directProviderRules } from './providers/providers';
import { pydantic } from './pydantic/pydantic';
import type { RouteRule } from './rule';
import { snowflake } from './snowflake/snowflake';
import { truefoundry } from './truefoundry/truefoundry';
import { vercel } from './vercel/vercel';
import { zuplo } from './zuplo/zuplo';

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
  pydantic,
  truefoundry,
  bifrost,
  zuplo,
  fastly,
  azureApim,
  azure,
  awsBedrock,
  vertex,
  workersAi,
  snowflake,
  databricks,
  ...directProviderRules,
];
