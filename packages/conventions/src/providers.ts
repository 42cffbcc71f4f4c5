/**
 * The public face of the provider vocabulary (DESIGN.md §2.2): which ids are gateways and
 * clouds (from the rule registry), and name normalisation with each gateway's own table.
 */
import { getCatalog } from './rules/catalog';
import { normalizeName } from './vocabulary';

export { foldProviderName, modelOperation, modelVendor } from './vocabulary';

/** Whose naming a provider name is in: OpenRouter display names, Vercel slugs, LiteLLM prefixes, Portkey slugs, or any other rule id with a names table. */
export type ProviderNameSource = 'openrouter' | 'vercel' | 'litellm' | 'portkey';

function idsWithRole(role: 'gateway' | 'cloud'): ReadonlySet<string> {
  const ids = new Set<string>();
  for (const [id, rule] of getCatalog().byId) if (rule.role === role) ids.add(id);
  return ids;
}

/** The routing layers servedby treats as independent gateways (DESIGN.md §2.3), from the rule registry. */
export const INDEPENDENT_GATEWAYS: ReadonlySet<string> = idsWithRole('gateway');

/** Clouds that serve several vendors' models; their upstream is the model vendor. From the rule registry. */
export const MULTI_VENDOR_CLOUDS: ReadonlySet<string> = idsWithRole('cloud');

/** `true` for an independent gateway id such as `openrouter` or `litellm`. */
export function isIndependentGateway(provider: string | undefined): boolean {
  return typeof provider === 'string' && INDEPENDENT_GATEWAYS.has(provider);
}

/**
 * Maps a provider name, as one gateway or framework spells it, into the servedby vocabulary:
 * the source rule's names table first, then the names every source agrees on, then the fold
 * rule. Unknown names are folded (`"Some New Host 3"` → `some_new_host`), never dropped; names
 * such as `constructor` are ordinary unknown names.
 *
 * @example normalizeProvider('Amazon Bedrock', 'openrouter') // 'aws.bedrock'
 * @example normalizeProvider('vertexAnthropic', 'vercel')    // 'gcp.vertex_ai'
 * @example normalizeProvider('azure_ai', 'litellm')          // 'azure.ai.inference'
 */
export function normalizeProvider(name: string, source?: ProviderNameSource): string {
  if (typeof name !== 'string') return '';
  const table = typeof source === 'string' ? getCatalog().byId.get(source)?.names : undefined;
  return normalizeName(name, table);
}
