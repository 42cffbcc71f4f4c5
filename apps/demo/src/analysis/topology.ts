import type { ModelCall } from './model-calls';

/** One gateway → upstream flow for a requested model. */
export interface TopologyFlow {
  gateway: string;
  upstream: string;
  calls: number;
  /** Share of this model's calls in the window, 0…1. */
  share: number;
  errors: number;
}

/** All flows of one requested model. */
export interface ModelTopology {
  requestModel: string;
  calls: number;
  flows: TopologyFlow[];
}

/** The routing topology of a time window: per requested model, who served what share. */
export interface Topology {
  fromMs?: number;
  toMs?: number;
  calls: number;
  models: ModelTopology[];
}

/**
 * Groups model calls in `[fromMs, toMs)` by requested model, then by gateway → upstream, with the
 * share of each flow ("70% of gpt-4o calls went to OpenAI direct, 30% to Azure").
 */
export function computeTopology(calls: readonly ModelCall[], window: { fromMs?: number; toMs?: number } = {}): Topology {
  const byModel = new Map<string, Map<string, TopologyFlow>>();
  let total = 0;
  for (const call of calls) {
    if (window.fromMs !== undefined && call.startMs < window.fromMs) continue;
    if (window.toMs !== undefined && call.startMs >= window.toMs) continue;
    total += 1;
    let flows = byModel.get(call.requestModel);
    if (!flows) byModel.set(call.requestModel, (flows = new Map()));
    const key = `${call.gateway}\u0000${call.upstream}`;
    let flow = flows.get(key);
    if (!flow) flows.set(key, (flow = { gateway: call.gateway, upstream: call.upstream, calls: 0, share: 0, errors: 0 }));
    flow.calls += 1;
    if (call.error) flow.errors += 1;
  }
  const models: ModelTopology[] = [];
  for (const [requestModel, flows] of byModel) {
    const list = [...flows.values()];
    const modelCalls = list.reduce((sum, flow) => sum + flow.calls, 0);
    for (const flow of list) flow.share = flow.calls / modelCalls;
    list.sort((a, b) => b.calls - a.calls);
    models.push({ requestModel, calls: modelCalls, flows: list });
  }
  models.sort((a, b) => b.calls - a.calls);
  return { ...window, calls: total, models };
}
