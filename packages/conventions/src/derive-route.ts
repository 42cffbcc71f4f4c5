/**
 * The walker: turns one observation into a route by running the rules of `rules/registry.ts`.
 * It knows no gateway, cloud or provider by name — only rule roles (gateway, cloud, provider),
 * signal kinds and their strengths (DESIGN.md §2.4, §2.7).
 */
import { readBodyFacts } from './body';
import { createLowerCaseHeaderLookup, type SizedHeaderLookup } from './headers';
import { getCatalog, providerOfHost, ruleOfHost } from './rules/catalog';
import {
  type HopFacts,
  type HopPosition,
  type HopSignal,
  mayDecide,
  type ModelSignal,
  type RequestFacts,
  type RouteRule,
  type RuleContext,
  type Signal,
  SIGNAL_STRENGTH,
} from './rules/rule';
import { expandUnknownProvider, PROTOCOL_HINTS } from './rules/providers/providers';
import { canonicalJson } from './shared/canonical-json';
import { integer, isObject, type JsonObject, MAX_ROUTE_VALUE_LENGTH, text } from './shared/json';
import { sha256Hex } from './shared/sha256';
import { splitUrl } from './shared/url';
import { normalizeName } from './vocabulary';
import type { RouteAttribution, RouteObservation } from './types';

export { MAX_ROUTE_VALUE_LENGTH };
/** @deprecated Use `splitUrl` from the package root. */
export { splitUrl };

const MAX_PATH_HOPS = 8;
const MAX_EVIDENCE = 16;
/** Longest `gen_ai.route.policy` value (DESIGN.md §2.6). */
export const MAX_POLICY_LENGTH = 512;
const MAX_REQUEST_BODY_TEXT = 1 << 20;


// ------------------------------------------------------------------------------------------
// Context
// ------------------------------------------------------------------------------------------

interface WalkContext extends RuleContext {
  hint?: string;
  clientLabel?: string;
  clientAttempts?: number;
}

function requestBodyOf(body: unknown): JsonObject | undefined {
  if (isObject(body)) return body;
  if (typeof body !== 'string' || body.length > MAX_REQUEST_BODY_TEXT) return undefined;
  const trimmed = body.trimStart();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

const EMPTY_HEADERS = createLowerCaseHeaderLookup(undefined);

// One object per call, methods on the prototype: no closures are built per call.
class ObservationContext implements WalkContext {
  host?: string;
  pathname: string;
  rawUrl?: string | URL;
  headers: SizedHeaderLookup;
  body: ReturnType<typeof readBodyFacts>;
  metadata?: JsonObject;
  requestModel?: string;
  responseModel?: string;
  region?: string;
  status?: number;
  responded: boolean;
  request: RequestFacts;
  hint?: string;
  clientLabel?: string;
  clientAttempts?: number;
  private memo?: Map<string, unknown>;

  constructor(observation: RouteObservation) {
    const rawUrl = observation.url;
    const { host, pathname } = splitUrl(rawUrl);
    this.pathname = pathname;
    if (host !== undefined) this.host = host;
    if (typeof rawUrl === 'string' || rawUrl instanceof URL) this.rawUrl = rawUrl;
    this.headers = createLowerCaseHeaderLookup(observation.responseHeaders);
    this.body = readBodyFacts(observation.responseBody);
    const metadata = isObject(observation.providerMetadata) ? observation.providerMetadata : undefined;
    if (metadata) this.metadata = metadata;
    const status = integer(observation.status);
    if (status !== undefined) this.status = status;
    const requestInput = isObject(observation.request) ? observation.request : undefined;
    this.request = requestInput
      ? new ObservedRequest(requestInput.body, requestInput.headers ? createLowerCaseHeaderLookup(requestInput.headers) : EMPTY_HEADERS)
      : NO_REQUEST;
    this.responded =
      typeof observation.responseReceived === 'boolean'
        ? observation.responseReceived
        : status !== undefined || this.headers.size > 0 || this.body.format !== 'none' || (metadata !== undefined && hasAnyKey(metadata));
    const requestModel = text(observation.requestModel);
    if (requestModel) this.requestModel = requestModel;
    const responseModel = text(observation.responseModel);
    if (responseModel) this.responseModel = responseModel;
    const region = text(observation.region);
    if (region) this.region = region;
    const hint = text(observation.providerHint);
    if (hint) this.hint = hint;
    const clientLabel = text(observation.clientLabel);
    if (clientLabel) this.clientLabel = clientLabel;
    const attempts = integer(observation.attempts);
    if (attempts !== undefined && attempts > 0) this.clientAttempts = attempts;
  }

  once<T>(key: string, compute: () => T): T {
    const memo = (this.memo ??= new Map());
    const known = memo.get(key);
    if (known !== undefined || memo.has(key)) return known as T;
    const value = compute();
    memo.set(key, value);
    return value;
  }

  // Several rules and the walker ask for the same fingerprints: each is looked for once per call
  // (`null`: looked for, not found). Both depend only on this call's headers and body.
  private headerFingerprint_: HopSignal | null | undefined;
  private prefixedFingerprints?: Map<string, HopSignal | null>;
  private bodyFingerprint_: HopSignal | null | undefined;

  headerFingerprint(prefix?: string): HopSignal | undefined {
    if (!prefix) {
      if (this.headerFingerprint_ === undefined) this.headerFingerprint_ = headerFingerprint(this, '') ?? null;
      return this.headerFingerprint_ ?? undefined;
    }
    const found = (this.prefixedFingerprints ??= new Map());
    let fingerprint = found.get(prefix);
    if (fingerprint === undefined) {
      fingerprint = headerFingerprint(this, prefix) ?? null;
      found.set(prefix, fingerprint);
    }
    return fingerprint ?? undefined;
  }

  bodyFingerprint(): HopSignal | undefined {
    if (this.bodyFingerprint_ === undefined) this.bodyFingerprint_ = bodyFingerprint(this) ?? null;
    return this.bodyFingerprint_ ?? undefined;
  }

  bodyGateway(): HopSignal | undefined {
    return bodyGateway(this);
  }

  systemOfHost(host: string): string | undefined {
    return providerOfHost(host);
  }
}

const NO_REQUEST: RequestFacts = { headers: EMPTY_HEADERS };

/**
 * The request side of a call: its body is parsed only when a policy reads it, and a policy that
 * reads only some top-level keys (`RouteRule.policyKeys`) is not asked when the body's text names
 * none of them.
 */
class ObservedRequest implements RequestFacts {
  private parsed: JsonObject | undefined;
  private isParsed = false;

  constructor(
    private readonly rawBody: unknown,
    readonly headers: SizedHeaderLookup,
  ) {}

  get body(): JsonObject | undefined {
    if (!this.isParsed) {
      this.isParsed = true;
      this.parsed = requestBodyOf(this.rawBody);
    }
    return this.parsed;
  }

  /** `false` only when the body is text that cannot hold any of `keys` as an object key. */
  mayHold(keys: readonly string[]): boolean {
    const raw = this.rawBody;
    if (typeof raw !== 'string' || this.isParsed) return true;
    // A key could be spelled with escapes (`"\u0070rovider"`): then only a parse can tell.
    if (raw.includes('\\u')) return true;
    for (const key of keys) if (raw.includes(`"${key}"`)) return true;
    return false;
  }
}

function hasAnyKey(object: JsonObject): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return true;
  return false;
}

// ------------------------------------------------------------------------------------------
// Signals shared by rules: fingerprints and body-named gateways
// ------------------------------------------------------------------------------------------

function headerFingerprint(context: RuleContext, prefix: string): HopSignal | undefined {
  const { headers } = context;
  if (headers.size === 0) return undefined;
  const names = headers.names();
  // Every lookup is wasted when no header carries the pass-through prefix at all.
  if (prefix && !names.some((name) => name.startsWith(prefix))) return undefined;
  for (const fingerprint of getCatalog().fingerprints) {
    const name = prefix + fingerprint.header;
    let present: boolean;
    if (fingerprint.prefix) present = names.some((header) => header.startsWith(name));
    else if (fingerprint.value) present = fingerprint.value.test(headers.get(name) ?? '');
    else present = headers.has(name);
    if (present) {
      return {
        provider: fingerprint.provider,
        signal: { name: `header.${prefix}${fingerprint.signalName}`, kind: fingerprint.kind ?? 'fingerprint' },
      };
    }
  }
  return undefined;
}

function bodyFingerprint(context: RuleContext): HopSignal | undefined {
  for (const rule of getCatalog().bodyFingerprinters) {
    const signal = rule.bodyFingerprint!(context.body);
    if (signal) return { provider: rule.id, signal };
  }
  return undefined;
}

function bodyGateway(context: RuleContext): HopSignal | undefined {
  for (const rule of getCatalog().recognisers) {
    if (rule.role !== 'gateway') continue;
    const recognition = rule.recognise!(context);
    if (recognition && (recognition.source === 'body' || recognition.source === 'metadata')) {
      return { provider: recognition.system ?? rule.id, signal: recognition.signal };
    }
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------
// The system the code talked to
// ------------------------------------------------------------------------------------------

interface Outer {
  system: string;
  rule?: RouteRule;
  signal: Signal;
}

const ROLE_RANK = { gateway: 0, cloud: 1, provider: 1 } as const;
const SOURCE_RANK = { url: 0, header: 0, body: 1, metadata: 1 } as const;

/**
 * Which system the code talked to. Its own host says so first. Otherwise response signals
 * compete by declared rank: a gateway's before a cloud's or provider's (a gateway stands in
 * front), headers before bodies (the outermost hop writes the headers; bodies pass through),
 * then by signal strength, then registry order. A framework hint only ever names the system
 * when nothing else does; another instrumentation's client label never does.
 */
function recogniseOuter(context: WalkContext): Outer | undefined {
  if (context.host) {
    const rule = ruleOfHost(context.host);
    if (rule) return { system: rule.systemOf?.(context) ?? rule.id, rule, signal: { name: 'url', kind: 'provider-host' } };
  }
  const { byId, recognisers } = getCatalog();
  let best: Candidate | undefined;
  for (const rule of recognisers) {
    const recognition = rule.recognise!(context);
    if (recognition) best = better(best, rule, recognition.signal, recognition.source, recognition.system);
  }
  const fingerprint = context.headerFingerprint();
  if (fingerprint) best = better(best, byId.get(fingerprint.provider)!, fingerprint.signal, 'header');
  const inBody = context.bodyFingerprint();
  if (inBody) best = better(best, byId.get(inBody.provider)!, inBody.signal, 'body');
  if (best) return { system: best.system ?? best.rule.systemOf?.(context) ?? best.rule.id, rule: best.rule, signal: best.signal };
  const hinted = systemOfHint(context.hint);
  if (hinted) return { system: hinted, ...ruleField(byId.get(hinted)), signal: { name: 'config', kind: 'framework-hint' } };
  // Another instrumentation's client label names the client class, not what the code talked to:
  // it names nothing here.
  return undefined;
}

interface Candidate {
  rule: RouteRule;
  signal: Signal;
  system?: string;
  rank: [number, number, number, number];
}

// Declared rank: role (gateway first), source (headers before bodies), strength, registry order.
function better(best: Candidate | undefined, rule: RouteRule, signal: Signal, source: keyof typeof SOURCE_RANK, system?: string): Candidate {
  const rank: Candidate['rank'] = [ROLE_RANK[rule.role], SOURCE_RANK[source], SIGNAL_STRENGTH[signal.kind], getCatalog().order.get(rule.id) ?? 0];
  if (best && compareRanks(rank, best.rank) >= 0) return best;
  return system === undefined ? { rule, signal, rank } : { rule, signal, system, rank };
}

function ruleField(rule: RouteRule | undefined): { rule?: RouteRule } {
  return rule ? { rule } : {};
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let index = 0; index < a.length; index++) {
    const difference = a[index]! - b[index]!;
    if (difference !== 0) return difference;
  }
  return 0;
}

const LANGCHAIN_CLASS = /^(Azure)?Chat([A-Za-z]+)$|^([A-Za-z]+)Chat$/;

/** The system a framework hint or client label names: the longest declared hint prefix, else the folded name. */
function systemOfHint(hint: string | undefined): string | undefined {
  if (!hint) return undefined;
  const langChainClass = LANGCHAIN_CLASS.exec(hint);
  const name = langChainClass && !langChainClass[1] ? (langChainClass[2] ?? langChainClass[3] ?? hint) : hint;
  const squashed = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (PROTOCOL_HINTS.some((protocol) => squashed.startsWith(protocol))) return undefined;
  for (const [prefix, id] of getCatalog().hints) if (prefix.length > 0 && squashed.startsWith(prefix)) return id;
  const head = name.toLowerCase().split('.')[0] ?? '';
  const provider = normalizeName(head);
  return provider.length > 0 ? provider : undefined;
}

// ------------------------------------------------------------------------------------------
// The walk
// ------------------------------------------------------------------------------------------

interface Evidence {
  name: string;
  strength: number;
}

interface ChainHop {
  provider: string;
  signal?: Signal;
}

function expand(rule: RouteRule | undefined, context: RuleContext, outer: boolean, system: string, vendorModel?: string): HopFacts {
  if (!rule) return outer ? expandUnknownProvider(context, { outer }) : {};
  const position: HopPosition = { outer, system };
  if (vendorModel !== undefined) position.vendorModel = vendorModel;
  return rule.expand(context, position);
}

function inChain(chain: readonly ChainHop[], provider: string): boolean {
  for (const hop of chain) if (hop.provider === provider) return true;
  return false;
}

function pushEvidence(evidence: Evidence[], signal: Signal | undefined): void {
  if (signal && evidence.length < MAX_EVIDENCE * 2) evidence.push({ name: signal.name, strength: SIGNAL_STRENGTH[signal.kind] });
}

function deriveFromContext(context: WalkContext): RouteAttribution {
  const outer = recogniseOuter(context);
  const evidence: Evidence[] = [];
  if (!outer) {
    const unattributed = { system: '_OTHER' } as RouteAttribution;
    if (context.requestModel) unattributed.requestModel = context.requestModel;
    const model = text(context.body.model) ?? text(context.body.modelVersion);
    if (model) unattributed.responseModel = model;
    unattributed.evidence = [];
    return unattributed;
  }
  const { byId } = getCatalog();
  pushEvidence(evidence, outer.signal);
  const outerRole = outer.rule?.role ?? 'provider';
  const first = expand(outer.rule, context, true, outer.system);
  for (const extra of first.evidence ?? []) pushEvidence(evidence, extra);
  const chain: ChainHop[] = [{ provider: outer.system, signal: outer.signal }];
  let responseModel: ModelSignal | undefined = first.responseModel;
  let { regionScope, region, vendorModel, next, cost, deployment } = first;
  // Walk inward: gateways behind gateways, then the cloud, then the cloud's model vendor.
  while (next && next.provider.length > 0 && chain.length < MAX_PATH_HOPS) {
    if (inChain(chain, next.provider)) break;
    chain.push({ provider: next.provider, signal: next.signal });
    pushEvidence(evidence, next.signal);
    const rule = byId.get(next.provider);
    const role = rule?.role ?? 'provider';
    const inner = expand(rule, context, false, next.provider, vendorModel);
    regionScope ??= inner.regionScope;
    if (role === 'cloud') {
      region ??= inner.region;
      responseModel ??= inner.responseModel;
      const vendor = inner.next?.provider;
      // The vendor behind a cloud the code reached through a gateway names no signal of its own.
      if (vendor && vendor.length > 0 && !inChain(chain, vendor)) chain.push({ provider: vendor });
      break;
    }
    if (role !== 'gateway') break;
    // A gateway that re-stamps body `model` (LiteLLM) makes inner hops' body models meaningless.
    if (!(first.rewritesBodyModel && inner.responseModel?.signal.name === 'body.model')) {
      responseModel ??= inner.responseModel;
      vendorModel = inner.vendorModel ?? vendorModel;
    }
    cost ??= inner.cost;
    next = inner.next;
  }

  const attribution: RouteAttribution = { system: outer.system, evidence: [] };
  const outerDecides = mayDecide(outer.signal.kind);
  if (outerRole === 'gateway' || outerRole === 'cloud') attribution.gateway = outer.system;
  let upstream: string | undefined;
  let upstreamIndex = -1;
  if (outerRole === 'gateway') {
    upstreamIndex = chain.findIndex((hop, index) => index > 0 && (byId.get(hop.provider)?.role ?? 'provider') !== 'gateway');
  } else if (outerRole === 'cloud') {
    upstreamIndex = chain.length > 1 ? 1 : -1;
  } else {
    upstreamIndex = 0;
  }
  if (upstreamIndex >= 0) {
    // Every hop up to the upstream must have been named by a signal allowed to decide (§2.7).
    const decided = chain.slice(0, upstreamIndex + 1).every((hop, index) => (index === 0 ? outerDecides || outerRole === 'gateway' : mayDecide(hop.signal?.kind)));
    if (decided) upstream = chain[upstreamIndex]!.provider;
  }
  // A gateway's own cache answered: no upstream served, and no served model either.
  if (first.cacheHit === true) {
    upstream = undefined;
    responseModel = undefined;
    chain.length = 1;
  }
  // A request that got no response never decides an upstream.
  if (!context.responded) {
    upstream = undefined;
    chain.length = 1;
  }
  if (upstream) attribution.upstream = upstream;
  if (chain.length > 1) attribution.path = chain.map((hop) => hop.provider);

  const requestModel = context.requestModel ?? first.requestModel;
  if (requestModel) attribution.requestModel = requestModel;
  if (responseModel) {
    attribution.responseModel = responseModel.value;
    pushEvidence(evidence, responseModel.signal);
  }
  for (const rule of getCatalog().ambient) {
    if (regionScope && deployment) break;
    const ambient = rule.ambient!(context);
    if (!ambient) continue;
    regionScope ??= ambient.regionScope;
    deployment ??= ambient.deployment;
  }
  if (deployment) attribution.deployment = deployment;
  if (region) attribution.region = region;
  if (first.awsRegion) attribution.awsRegion = first.awsRegion;
  if (regionScope) attribution.regionScope = regionScope;
  if (first.requestId) attribution.requestId = first.requestId;
  const attempts = first.attempts ?? context.clientAttempts;
  if (attempts !== undefined) attribution.attempts = attempts;
  if (first.fallback !== undefined) attribution.fallback = first.fallback;
  if (cost !== undefined) attribution.cost = cost;
  if (first.cacheHit !== undefined) attribution.cacheHit = first.cacheHit;
  if (first.errorSource) attribution.errorSource = first.errorSource;
  if (!context.responded) pushEvidence(evidence, { name: 'no_response', kind: 'no-response' });
  const policyRule = outer.rule;
  const request = context.request;
  const policy =
    policyRule?.policy && (!policyRule.policyKeys || !(request instanceof ObservedRequest) || request.mayHold(policyRule.policyKeys))
      ? policyRule.policy(request, context)
      : undefined;
  if (policy) {
    const canonical = canonicalJson(policy);
    if (canonical) {
      attribution.policy = canonical.slice(0, MAX_POLICY_LENGTH);
      attribution.policyHash = sha256Hex(canonical).slice(0, 16);
    }
  }

  // Strongest first; the first mention of a signal keeps its place among equals.
  sortByStrength(evidence);
  const names: string[] = [];
  for (const item of evidence) {
    if (names.length >= MAX_EVIDENCE) break;
    if (!names.includes(item.name)) names.push(item.name);
  }
  attribution.evidence = names;
  return attribution;
}

// A stable insertion sort: a handful of items, where `Array.prototype.sort` with a comparator
// costs more than the sorting itself.
function sortByStrength(evidence: Evidence[]): void {
  for (let index = 1; index < evidence.length; index++) {
    const item = evidence[index]!;
    let position = index - 1;
    while (position >= 0 && evidence[position]!.strength > item.strength) {
      evidence[position + 1] = evidence[position]!;
      position--;
    }
    evidence[position + 1] = item;
  }
}

// Most values are already bounded where they were read; this is the safety net for the rest
// (model IDs decoded from paths, ARNs) and costs nothing for short values.
const BOUNDED_FIELDS = [
  'system',
  'gateway',
  'upstream',
  'requestModel',
  'responseModel',
  'deployment',
  'region',
  'awsRegion',
  'regionScope',
  'requestId',
] as const;

// Absent, or a non-empty string within the bound.
function withinBound(value: unknown): boolean {
  return value === undefined || (typeof value === 'string' && value.length > 0 && value.length <= MAX_ROUTE_VALUE_LENGTH);
}

function boundAttribution(attribution: RouteAttribution): RouteAttribution {
  // The common case, every field already in bound, checked field by field by name: the loop
  // below reads properties by computed key, which costs a dictionary lookup each.
  const inBound =
    typeof attribution.system === 'string' &&
    attribution.system.length <= MAX_ROUTE_VALUE_LENGTH &&
    withinBound(attribution.gateway) &&
    withinBound(attribution.upstream) &&
    withinBound(attribution.requestModel) &&
    withinBound(attribution.responseModel) &&
    withinBound(attribution.deployment) &&
    withinBound(attribution.region) &&
    withinBound(attribution.awsRegion) &&
    withinBound(attribution.regionScope) &&
    withinBound(attribution.requestId);
  if (!inBound) {
    for (const key of BOUNDED_FIELDS) {
      const value = attribution[key];
      if (value === undefined) continue;
      if (typeof value !== 'string' || (value.length === 0 && key !== 'system')) delete attribution[key];
      else if (value.length > MAX_ROUTE_VALUE_LENGTH) attribution[key] = value.slice(0, MAX_ROUTE_VALUE_LENGTH);
    }
  }
  if (attribution.path && (attribution.path.length > MAX_PATH_HOPS || attribution.path.some((hop) => hop.length > MAX_ROUTE_VALUE_LENGTH))) {
    attribution.path = attribution.path.slice(0, MAX_PATH_HOPS).map((hop) => hop.slice(0, MAX_ROUTE_VALUE_LENGTH));
  }
  return attribution;
}

/**
 * Turns raw facts about one LLM call into its route: which gateway the code talked to, which
 * upstream served it, the model really served, the deployment, region and request id, cost,
 * cache hit, error source and routing policy, and the evidence for each (DESIGN.md §2.3–2.7).
 * Signals are combined by their declared kind and strength: explicit served-by fields first,
 * then deployment and host signals, fingerprints, and finally the request side. Only some kinds
 * may decide the upstream (§2.7): a path shape, a model-name prefix, a framework hint, another
 * instrumentation's client label or a request that got no response never do. When nothing
 * reveals the upstream it stays unset. Pure and total: it never throws, bounds every value to
 * 256 characters and reads at most 1 MiB of a body.
 *
 * @example
 * deriveRoute({ url: 'https://openrouter.ai/api/v1/chat/completions',
 *   responseBody: { id: 'gen-1', provider: 'Amazon Bedrock', model: 'anthropic/claude-4.5-haiku' } })
 * // { system: 'openrouter', gateway: 'openrouter', upstream: 'aws.bedrock',
 * //   path: ['openrouter', 'aws.bedrock', 'anthropic'], … }
 */
export function deriveRoute(observation: RouteObservation): RouteAttribution {
  try {
    return boundAttribution(deriveFromContext(new ObservationContext(isObject(observation) ? observation : {})));
  } catch {
    // Fall back to what is certain: the hint and the requested model.
    try {
      const hinted = systemOfHint(text((observation as RouteObservation | undefined)?.providerHint));
      const requestModel = text((observation as RouteObservation | undefined)?.requestModel);
      return boundAttribution({ system: hinted ?? '_OTHER', ...(requestModel ? { requestModel } : {}), evidence: [] });
    } catch {
      return { system: '_OTHER', evidence: [] };
    }
  }
}
