import { createBoundedMemo } from './shared/memo';
import { bedrockVendor, isKnownBedrockVendor } from './vocabulary';
import type { BedrockModelId } from './types';

/** The seven verified geography prefixes of system-defined cross-region inference profiles. */
export const BEDROCK_GEOGRAPHIES: readonly string[] = Object.freeze(['us', 'eu', 'apac', 'us-gov', 'jp', 'au', 'global']);

// Seen only in single third-party sources: accepted only when a known vendor prefix follows.
const UNVERIFIED_GEOGRAPHIES: ReadonlySet<string> = new Set(['ca', 'in', 'ap']);

const MAX_MODEL_ID_LENGTH = 2048;
const FOUNDATION_ID = /^([a-z0-9-]{1,63})\.([a-z0-9][a-z0-9._:-]{0,255})$/;
const VERSION_SUFFIXES: readonly RegExp[] = [
  /-(v\d+(?::\d+)?(?::[a-z0-9]+)?)$/, // -v1:0, -v2:0:200k, -v1, -v14
  /(v\d+:\d+(?::[a-z0-9]+)?)$/, // …-v0:2 without a dash before (defensive)
  /-(\d+:\d+(?::[a-z0-9]+)?)$/, // openai.gpt-oss-120b-1:0
];

function percentDecode(id: string): string {
  if (!id.includes('%')) return id;
  try {
    return decodeURIComponent(id);
  } catch {
    return id.replace(/%3a/gi, ':').replace(/%2f/gi, '/');
  }
}

function versionOf(modelName: string): string | undefined {
  for (const pattern of VERSION_SUFFIXES) {
    const match = pattern.exec(modelName);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

interface FoundationParts {
  vendor: string;
  model: string;
  version?: string;
}

function parseFoundationId(id: string): FoundationParts | undefined {
  const match = FOUNDATION_ID.exec(id.toLowerCase());
  if (!match?.[1] || !match[2]) return undefined;
  // `gpt-4.1` or `gemini-1.5-pro` are not Bedrock IDs: unknown vendors must be a plain word.
  if (!isKnownBedrockVendor(match[1]) && !/^[a-z]+$/.test(match[1])) return undefined;
  const version = versionOf(match[2]);
  return { vendor: bedrockVendor(match[1]), model: id, ...(version ? { version } : {}) };
}

function parseProfileOrFoundation(id: string): Omit<BedrockModelId, 'raw'> | undefined {
  const firstDot = id.indexOf('.');
  if (firstDot > 0) {
    const prefix = id.slice(0, firstDot).toLowerCase();
    const rest = id.slice(firstDot + 1);
    const nextDot = rest.indexOf('.');
    const nextPrefix = nextDot > 0 ? rest.slice(0, nextDot) : '';
    const isGeography =
      (BEDROCK_GEOGRAPHIES.includes(prefix) && nextDot > 0) ||
      (UNVERIFIED_GEOGRAPHIES.has(prefix) && isKnownBedrockVendor(nextPrefix));
    if (isGeography) {
      const foundation = parseFoundationId(rest);
      if (!foundation) return undefined;
      return { kind: 'inference-profile', geography: prefix, ...foundation };
    }
  }
  const foundation = parseFoundationId(id);
  return foundation ? { kind: 'foundation-model', ...foundation } : undefined;
}

function parseArn(arn: string): Omit<BedrockModelId, 'raw'> | undefined {
  // arn:partition:service:region:account:resource — the resource may itself contain ':'.
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition, service, region, account] = parts;
  if (!partition?.startsWith('aws') || (service !== 'bedrock' && service !== 'sagemaker')) return undefined;
  const resource = parts.slice(5).join(':');
  const slash = resource.indexOf('/');
  const resourceType = slash >= 0 ? resource.slice(0, slash) : resource;
  const resourceId = slash >= 0 ? resource.slice(slash + 1) : '';
  const arnFields = {
    arnResourceType: resourceType,
    ...(region ? { arnRegion: region } : {}),
    ...(account ? { arnAccount: account } : {}),
  };
  switch (resourceType) {
    case 'foundation-model': {
      const foundation = parseFoundationId(resourceId);
      return foundation ? { kind: 'foundation-model', ...foundation, ...arnFields } : undefined;
    }
    case 'inference-profile': {
      const profile = parseProfileOrFoundation(resourceId);
      return profile ? { ...profile, kind: 'inference-profile', ...arnFields } : undefined;
    }
    case 'application-inference-profile':
      return { kind: 'application-inference-profile', ...arnFields };
    case 'provisioned-model':
      return { kind: 'provisioned-model', ...arnFields };
    case 'custom-model': {
      // custom-model/{vendor}.{base}/{id}: the vendor is known, the served model is not the base.
      const base = resourceId.split('/')[0] ?? '';
      const dot = base.indexOf('.');
      return { kind: 'custom-model', ...(dot > 0 ? { vendor: bedrockVendor(base.slice(0, dot)) } : {}), ...arnFields };
    }
    case 'custom-model-deployment':
      return { kind: 'custom-model', ...arnFields };
    case 'imported-model':
      return { kind: 'imported-model', ...arnFields };
    case 'default-prompt-router': {
      // default-prompt-router/anthropic.claude:1 — the router picks among one vendor's models.
      const family = resourceId.split(':')[0] ?? '';
      const dot = family.indexOf('.');
      return { kind: 'prompt-router', ...(dot > 0 ? { vendor: bedrockVendor(family.slice(0, dot)) } : {}), ...arnFields };
    }
    case 'prompt-router':
      return { kind: 'prompt-router', ...arnFields };
    case 'marketplace':
    case 'endpoint':
      return { kind: 'marketplace-model', ...arnFields };
    default:
      return undefined;
  }
}

/**
 * Takes a Bedrock model identifier apart: foundation model IDs (every version-suffix shape),
 * system inference profiles with the geography prefixes `us.`, `eu.`, `apac.`, `us-gov.`, `jp.`,
 * `au.`, `global.`, and ARNs of foundation models, inference profiles, application inference
 * profiles, provisioned, custom and imported models, prompt routers and marketplace endpoints.
 * Percent-encoded IDs, as they appear in runtime URL paths, are decoded first.
 * Returns `undefined` for anything that is not a Bedrock model ID. Never throws.
 *
 * @example parseBedrockModelId('us.anthropic.claude-haiku-4-5-20251001-v1:0')
 * // { kind: 'inference-profile', geography: 'us', vendor: 'anthropic',
 * //   model: 'anthropic.claude-haiku-4-5-20251001-v1:0', version: 'v1:0', raw: … }
 */
export function parseBedrockModelId(id: string): BedrockModelId | undefined {
  if (typeof id !== 'string') return undefined;
  const parsed = PARSED.get(id, (key) => parseUncached(key) ?? null);
  // A copy: callers own what they get (every field is a string).
  return parsed === null ? undefined : { ...parsed };
}

// Model IDs are few and repeat on every call: remember the answers (a pure-function cache,
// bounded, shared by all calls; it holds no per-call state).
const PARSED = createBoundedMemo<BedrockModelId | null>(1024, 512);

function parseUncached(id: string): BedrockModelId | undefined {
  try {
    const raw = percentDecode(id.trim()).slice(0, MAX_MODEL_ID_LENGTH);
    if (raw.length === 0) return undefined;
    const parsed = raw.startsWith('arn:') ? parseArn(raw) : parseProfileOrFoundation(raw);
    return parsed ? { raw, ...parsed } : undefined;
  } catch {
    return undefined;
  }
}
