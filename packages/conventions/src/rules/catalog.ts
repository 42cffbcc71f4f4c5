/**
 * Indexes over the registry, built once on first use: rules by id, by host, every header
 * fingerprint (unique ones before value shapes, registry order among equals), every hint.
 * Generic: it knows no rule by name.
 */
import { createBoundedMemo } from '../shared/memo';
import { RULES } from './registry';
import type { HeaderFingerprint, RouteRule } from './rule';

/** A header fingerprint with the rule it names. */
export interface IndexedFingerprint extends HeaderFingerprint {
  /** Id of the rule that declared it. */
  provider: string;
  /** Evidence name without the prefix, e.g. `x-ms-region`. */
  signalName: string;
}

/** The indexes the walker reads. */
export interface Catalog {
  /** Rule by id (and by each id in `alsoExpands`). */
  byId: ReadonlyMap<string, RouteRule>;
  /** Rule by exact host suffix. */
  byHostSuffix: ReadonlyMap<string, RouteRule>;
  /** Rules with a host pattern. */
  hostMatchers: readonly RouteRule[];
  /** Every header fingerprint, unique ones first. */
  fingerprints: readonly IndexedFingerprint[];
  /** Rules with a body fingerprint. */
  bodyFingerprinters: readonly RouteRule[];
  /** Rules with a response-side recogniser. */
  recognisers: readonly RouteRule[];
  /** Rules with ambient facts. */
  ambient: readonly RouteRule[];
  /** Hint prefix (lower-case, alphanumerics only) → rule id, longest first. */
  hints: readonly (readonly [string, string])[];
  /** Registry position of each rule id, for ties. */
  order: ReadonlyMap<string, number>;
}

let catalog: Catalog | undefined;

/** The catalog over the registry. */
export function getCatalog(): Catalog {
  if (catalog) return catalog;
  const rules = RULES;
  const byId = new Map<string, RouteRule>();
  const byHostSuffix = new Map<string, RouteRule>();
  const unique: IndexedFingerprint[] = [];
  const shapes: IndexedFingerprint[] = [];
  const hints: [string, string][] = [];
  const order = new Map<string, number>();
  rules.forEach((rule, index) => {
    if (!byId.has(rule.id)) byId.set(rule.id, rule);
    order.set(rule.id, index);
    for (const id of rule.alsoExpands ?? []) {
      if (!byId.has(id)) byId.set(id, rule);
      order.set(id, index);
    }
    for (const host of rule.hosts ?? []) if (!byHostSuffix.has(host)) byHostSuffix.set(host, rule);
    for (const fingerprint of rule.fingerprints ?? []) {
      const indexed = { ...fingerprint, provider: rule.id, signalName: fingerprint.signal ?? fingerprint.header };
      (fingerprint.kind === 'fingerprint-shape' ? shapes : unique).push(indexed);
    }
    for (const hint of rule.hints ?? []) hints.push([hint.toLowerCase().replace(/[^a-z0-9]/g, ''), rule.id]);
  });
  hints.sort((a, b) => b[0].length - a[0].length);
  catalog = {
    byId,
    byHostSuffix,
    hostMatchers: rules.filter((rule) => rule.matchesHost),
    fingerprints: [...unique, ...shapes],
    bodyFingerprinters: rules.filter((rule) => rule.bodyFingerprint),
    recognisers: rules.filter((rule) => rule.recognise),
    ambient: rules.filter((rule) => rule.ambient),
    hints,
    order,
  };
  return catalog;
}

// Hosts repeat call after call: remember which rule owns each (bounded; a host holds no secret).
const RULE_OF_HOST = createBoundedMemo<RouteRule | null>(512, 253);

/** The rule whose own host this is: pattern matchers first, then the host and each parent domain. */
export function ruleOfHost(host: string): RouteRule | undefined {
  return RULE_OF_HOST.get(host, (key) => findRuleOfHost(key) ?? null) ?? undefined;
}

function findRuleOfHost(host: string): RouteRule | undefined {
  const { byHostSuffix, hostMatchers } = getCatalog();
  for (const rule of hostMatchers) if (rule.matchesHost!(host)) return rule;
  let candidate = host;
  for (let labels = 0; labels < 8; labels++) {
    const rule = byHostSuffix.get(candidate);
    if (rule) return rule;
    const dot = candidate.indexOf('.');
    if (dot < 0) return undefined;
    candidate = candidate.slice(dot + 1);
  }
  return undefined;
}

/** Id of the system whose own host this is (`api.openai.com` → `openai`). */
export function providerOfHost(host: string): string | undefined {
  return ruleOfHost(host)?.id;
}
