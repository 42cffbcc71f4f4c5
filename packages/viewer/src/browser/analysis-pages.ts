import type { CostResponse, DriftResponse, ErrorsResponse, EvalResponse, GatewaySpansResponse, PoliciesResponse, SummaryResponse, TopologyResponse } from '../api-types';
import { chart, narrow } from './charts';
import { ApiRequestError, colorOf, el, getJson, notice, percent, setReady, shortTime, table, time, upstreamBadge, usd } from './dom';

// ---------------------------------------------------------------- Topology
/** Requested model → gateway → upstream as a Sankey, over all data, a change window or any range. */
export async function topologyPage(main: HTMLElement): Promise<void> {
  const [summary, drift] = await Promise.all([getJson<SummaryResponse>('/api/summary'), getJson<DriftResponse>('/api/drift')]);
  const presets: Array<{ label: string; fromMs?: number; toMs?: number }> = [{ label: 'All data' }];
  for (const window of drift.windows) {
    const label = `${window.gateway} ${window.requestModel}`;
    presets.push({ label: `Before the change (${label})`, toMs: window.fromMs });
    presets.push({ label: `During the change ${shortTime(window.fromMs)} → ${window.toMs ? shortTime(window.toMs) : 'end'} UTC (${label})`, fromMs: window.fromMs, ...(window.toMs ? { toMs: window.toMs } : {}) });
    if (window.toMs) presets.push({ label: `After recovery (${label})`, fromMs: window.toMs });
  }
  const select = el('select', { id: 'window-select' }, presets.map((preset, index) => el('option', { value: index }, preset.label)));
  const fromInput = el('input', { type: 'datetime-local', id: 'window-from', step: 60 });
  const toInput = el('input', { type: 'datetime-local', id: 'window-to', step: 60 });
  const chartContainer = el('div', { class: 'chart sankey', id: 'topology-chart' });
  const sentences = el('div', { id: 'topology-sentences' });
  const tables = el('div', { id: 'topology-tables' });
  const rangeError = el('p', { class: 'filter-error', role: 'alert' });
  const toLocal = (ms: number | undefined) => (ms === undefined ? '' : new Date(ms).toISOString().slice(0, 16));
  const parseLocal = (text: string) => (text ? Date.parse(`${text}Z`) : undefined);
  main.replaceChildren(
    el('div', { class: 'controls' }, el('label', {}, 'Window ', select), el('label', {}, 'from (UTC) ', fromInput), el('label', {}, 'to (UTC) ', toInput),
      el('button', { class: 'secondary', onclick: () => void load(parseLocal(fromInput.value), parseLocal(toInput.value)) }, 'Apply')),
    rangeError,
    el('div', { class: 'panel' }, el('h2', {}, 'Requested model → gateway → upstream'), chartContainer),
    el('div', { class: 'panel' }, sentences),
    tables,
  );
  const sankey = chart(chartContainer);

  async function load(fromMs?: number, toMs?: number): Promise<void> {
    fromInput.value = toLocal(fromMs ?? summary.fromMs);
    toInput.value = toLocal(toMs ?? summary.toMs);
    const query = new URLSearchParams();
    if (fromMs !== undefined) query.set('from', String(Math.floor(fromMs)));
    if (toMs !== undefined) query.set('to', String(Math.ceil(toMs)));
    let topology: TopologyResponse;
    try {
      topology = await getJson<TopologyResponse>(`/api/topology?${query}`);
      rangeError.textContent = '';
    } catch (error) {
      if (error instanceof ApiRequestError && error.status === 400) {
        rangeError.textContent = error.body.error;
        return;
      }
      throw error;
    }
    const nodes = new Map<string, { name: string; depth: number }>();
    const links: Array<{ source: string; target: string; value: number }> = [];
    const node = (name: string, depth: number) => {
      if (!nodes.has(name)) nodes.set(name, { name, depth });
    };
    const upstreamLinks = new Map<string, number>();
    for (const model of topology.models) {
      node(`model: ${model.requestModel}`, 0);
      const gatewayTotals = new Map<string, number>();
      for (const flow of model.flows) {
        gatewayTotals.set(flow.gateway, (gatewayTotals.get(flow.gateway) ?? 0) + flow.calls);
        node(`upstream: ${flow.upstream}`, 2);
        const key = `${flow.gateway}\u0000${flow.upstream}`;
        upstreamLinks.set(key, (upstreamLinks.get(key) ?? 0) + flow.calls);
      }
      for (const [gateway, calls] of gatewayTotals) {
        node(`gateway: ${gateway}`, 1);
        links.push({ source: `model: ${model.requestModel}`, target: `gateway: ${gateway}`, value: calls });
      }
    }
    for (const [key, value] of upstreamLinks) {
      const [gateway, upstream] = key.split('\u0000');
      links.push({ source: `gateway: ${gateway}`, target: `upstream: ${upstream}`, value });
    }
    // On a phone the Sankey runs top to bottom, so labels get the full width instead of overlapping.
    const vertical = narrow();
    sankey.setOption(
      {
        tooltip: { trigger: 'item' },
        series: [{
          type: 'sankey',
          orient: vertical ? 'vertical' : 'horizontal',
          ...(vertical ? { top: 20, bottom: 60, left: 10, right: 10 } : { left: 20, right: 190 }),
          layoutIterations: 32,
          nodeAlign: 'justify',
          nodeGap: vertical ? 14 : 10,
          emphasis: { focus: 'adjacency' },
          data: [...nodes.values()].map((entry) => ({
            name: entry.name,
            ...(entry.name.startsWith('upstream: ') ? { itemStyle: { color: colorOf(entry.name.slice(10)) } } : {}),
          })),
          links,
          lineStyle: { color: 'gradient', opacity: 0.4 },
          label: vertical
            ? { fontSize: 10, rotate: -35, position: 'bottom', width: 110, overflow: 'truncate', formatter: (parameter: { name: string }) => parameter.name.replace(/^[a-z]+: /, '') }
            : { fontSize: 12, width: 340, overflow: 'truncate' },
        }],
      },
      true,
    );
    sentences.replaceChildren(
      el('h2', {}, `${topology.calls.toLocaleString('en')} model calls in the window`),
      ...topology.models.map((model) =>
        el('p', { class: 'sentence' }, `${model.requestModel}: `,
          model.flows.map((flow) => `${percent(flow.share)} via ${flow.gateway === 'direct' ? 'direct call to' : `${flow.gateway} →`} ${flow.upstream}`).join(', '),
          ` (${model.calls} calls)`)),
    );
    tables.replaceChildren(
      el('div', { class: 'panel' }, el('h2', {}, 'Flows'),
        el('div', { class: 'scroll' },
          table(
            [{ label: 'requested model' }, { label: 'gateway' }, { label: 'upstream' }, { label: 'calls', numeric: true }, { label: 'share', numeric: true }, { label: 'errors', numeric: true }],
            topology.models.flatMap((model) =>
              model.flows.map((flow) =>
                el('tr', { 'data-upstream': flow.upstream },
                  el('td', {}, model.requestModel), el('td', {}, flow.gateway), el('td', {}, upstreamBadge(flow.upstream)),
                  el('td', { class: 'num' }, flow.calls), el('td', { class: 'num', 'data-sort': flow.share }, percent(flow.share)), el('td', { class: 'num' }, flow.errors)))),
          ))),
    );
  }
  select.addEventListener('change', () => {
    const preset = presets[Number(select.value)]!;
    void load(preset.fromMs, preset.toMs);
  });
  const duringIndex = presets.findIndex((preset) => preset.label.startsWith('During'));
  const initialIndex = new URLSearchParams(location.search).get('window') === 'change' && duringIndex > 0 ? duringIndex : 0;
  select.value = String(initialIndex);
  await load(presets[initialIndex]!.fromMs, presets[initialIndex]!.toMs);
  setReady();
}

// ---------------------------------------------------------------- Drift
const BUCKETS: Array<[string, string]> = [['', 'automatic'], ['60000', '1 min'], ['300000', '5 min'], ['900000', '15 min'], ['3600000', '1 hour'], ['10800000', '3 hours']];

/** The upstream mix over time per series, change points and policy changes marked. */
export async function driftPage(main: HTMLElement): Promise<void> {
  const parameters = new URLSearchParams(location.search);
  const bucketSelect = el('select', { id: 'bucket-select' }, BUCKETS.map(([value, label]) => el('option', { value }, label)));
  const requested = parameters.get('bucket') ?? '';
  if (requested && !BUCKETS.some(([value]) => value === requested)) bucketSelect.append(el('option', { value: requested }, `${Number(requested) / 1000} s`));
  bucketSelect.value = requested;
  bucketSelect.addEventListener('change', () => {
    location.search = bucketSelect.value ? `?bucket=${bucketSelect.value}` : '';
  });
  const controls = el('div', { class: 'controls' }, el('label', {}, 'Window width ', bucketSelect));
  let drift: DriftResponse;
  try {
    drift = await getJson<DriftResponse>(`/api/drift${bucketSelect.value ? `?bucket=${bucketSelect.value}` : ''}`);
  } catch (error) {
    if (error instanceof ApiRequestError && error.status === 400) {
      main.replaceChildren(controls, notice(`This window width cannot be shown: ${error.body.error}.`));
      setReady();
      return;
    }
    throw error;
  }
  const charts = el('div', { class: 'grid2', id: 'drift-charts' });
  const tooFew = drift.series.filter((series) => series.verdict === 'too few calls to judge');
  controls.append(el('span', { class: 'muted rule' }, `Change point: ${drift.rule.description}.`));
  main.replaceChildren(
    controls,
    el('div', { class: 'panel', id: 'change-list' },
      el('h2', {}, 'Changes'),
      drift.windows.length
        ? drift.windows.map((window) => el('p', { class: 'sentence flag' }, `${window.gateway} ${window.requestModel}: ${time(window.fromMs)} → ${window.toMs ? `${time(window.toMs)} UTC` : 'end of data'}: ${window.description}`))
        : el('p', { class: 'muted' }, drift.series.every((series) => series.verdict === 'too few calls to judge') ? 'Too few calls to judge at this window width.' : 'No upstream change.'),
      tooFew.length ? el('p', { class: 'muted', id: 'too-few' }, `Too few calls to judge: ${tooFew.map((series) => `${series.gateway} ${series.requestModel}`).join(', ')}.`) : '',
      drift.policyChanges.length
        ? drift.policyChanges.map((change) => el('p', { class: 'sentence policy' }, `Routing policy change: ${change.serviceName} → ${change.gateway} at ${time(change.atMs)} UTC (${change.fromHash} → ${change.toHash})`))
        : ''),
    charts,
  );
  for (const series of drift.series) {
    const container = el('div', { class: 'chart small' });
    charts.append(el('div', { class: 'panel drift-series', 'data-gateway': series.gateway, 'data-model': series.requestModel, 'data-verdict': series.verdict },
      el('h3', {}, `${series.gateway} · ${series.requestModel}`, el('span', { class: 'muted' }, ` ${series.calls} calls · ${series.verdict}`),
        series.changePoints.length ? el('span', { class: 'flag' }, ` · ${series.changePoints.length} change point${series.changePoints.length > 1 ? 's' : ''}`) : ''),
      container));
    const upstreams = drift.upstreams.filter((upstream) => series.buckets.some((bucket) => bucket.upstreams[upstream]));
    const categories = series.buckets.map((bucket) => shortTime(bucket.startMs));
    const bucketOf = (atMs: number) => categories[Math.max(0, Math.min(categories.length - 1, Math.floor((atMs - drift.fromMs!) / drift.bucketMs)))];
    const marks = [
      ...series.changePoints.map((point) => ({ xAxis: shortTime(point.atMs), label: { formatter: 'change', color: '#c8323c' }, lineStyle: { color: '#c8323c' } })),
      ...drift.policyChanges
        .filter((change) => change.gateway === series.gateway)
        .map((change) => ({ xAxis: bucketOf(change.atMs), label: { formatter: 'policy', color: '#7048e8' }, lineStyle: { color: '#7048e8', type: 'solid' } })),
    ];
    chart(container).setOption({
      tooltip: { trigger: 'axis', valueFormatter: (value: number | undefined) => (value === undefined || value === null ? '' : `${Math.round(value)}%`) },
      legend: { top: 0, type: 'scroll' },
      grid: { left: 40, right: 16, top: 30, bottom: 30 },
      xAxis: { type: 'category', data: categories },
      yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
      series: upstreams.map((upstream, index) => ({
        name: upstream,
        type: 'bar',
        stack: 'mix',
        barCategoryGap: '10%',
        itemStyle: { color: colorOf(upstream) },
        data: series.buckets.map((bucket) => (bucket.calls ? ((bucket.upstreams[upstream] ?? 0) / bucket.calls) * 100 : null)),
        ...(index === 0 && marks.length ? { markLine: { symbol: 'none', lineStyle: { width: 2, type: 'dashed' }, data: marks } } : {}),
      })),
    });
  }
  main.append(
    el('div', { class: 'panel', id: 'changed-traces' },
      el('h2', {}, `Traces whose upstream changed (${drift.changedTraceTotal.toLocaleString('en')})`),
      el('p', { class: 'muted' }, `Traces with a model call served by an upstream that had under ${percent(drift.rule.presentShare)} of its series in the regime before the change point that opened its regime.`),
      el('div', { class: 'scroll' },
        table(
          [{ label: 'time (UTC)' }, { label: 'trace' }, { label: 'gateway' }, { label: 'requested model' }, { label: 'before' }, { label: 'now' }],
          drift.changedTraces.map((changed) =>
            el('tr', {},
              el('td', { 'data-sort': changed.startMs }, time(changed.startMs)),
              el('td', {}, el('a', { class: 'mono', href: `/traces?trace=${changed.traceId}&span=${changed.spanId}` }, changed.traceId.slice(0, 16))),
              el('td', {}, changed.gateway), el('td', {}, changed.requestModel),
              el('td', {}, upstreamBadge(changed.previousUpstream)), el('td', {}, upstreamBadge(changed.upstream)))),
        ))),
  );
  setReady();
}

// ---------------------------------------------------------------- Eval
/** Mean score by upstream and eval run, regressions and what they coincide with. */
export async function evalPage(main: HTMLElement): Promise<void> {
  const evaluation = await getJson<EvalResponse>('/api/eval');
  const chartContainer = el('div', { class: 'chart', id: 'eval-chart' });
  const regressions = evaluation.windows.filter((window) => window.regression);
  main.replaceChildren(
    el('div', { class: 'panel', id: 'regressions' },
      el('h2', {}, 'Regressions'),
      regressions.length
        ? regressions.map((window) => {
            const regression = window.regression!;
            return el('p', { class: 'sentence' },
              el('span', { class: 'flag' }, `${time(window.startMs)} UTC: mean ${window.meanScore.toFixed(2)} vs baseline ${regression.baseline.toFixed(2)}`),
              regression.coincidesWithUpstreamChange ? el('strong', {}, ' · matches an upstream change') : '',
              regression.matchesPolicyChange ? el('strong', { class: 'policy' }, ' · matches a routing policy change') : '',
              ': ', regression.reason);
          })
        : el('p', { class: 'muted' }, `No eval run dropped ${evaluation.regressionDrop} or more below the runs before it.`)),
    el('div', { class: 'panel' }, el('h2', {}, 'Mean score per eval run and upstream'), chartContainer),
  );
  const cellColor = (score: number) => `hsl(${Math.round(score * 120)}, 65%, 85%)`;
  const hasCost = evaluation.windows.some((window) => window.cost !== undefined);
  const crossTab = el('table', { id: 'eval-crosstab' },
    el('thead', {}, el('tr', {}, el('th', {}, 'upstream'), evaluation.windows.map((window) =>
      el('th', { class: window.regression ? 'flag heat' : 'heat' }, shortTime(window.startMs), window.regression ? ' ⚠' : '')), el('th', { class: 'num' }, 'overall'))),
    el('tbody', {},
      evaluation.rows.map((row) =>
        el('tr', { 'data-upstream': row.upstream },
          el('td', {}, upstreamBadge(row.upstream)),
          row.cells.map((cell) => (cell.meanScore === undefined
            ? el('td', { class: 'heat muted' }, '·')
            : el('td', { class: 'heat', style: `background:${cellColor(cell.meanScore)}` }, `${cell.meanScore.toFixed(2)} (${cell.count})`))),
          el('td', { class: 'num' }, `${row.meanScore.toFixed(2)} (${row.count})`))),
      el('tr', {}, el('td', {}, el('strong', {}, 'all')), evaluation.windows.map((window) =>
        el('td', { class: window.regression ? 'heat flag' : 'heat', style: `background:${cellColor(window.meanScore)}` }, `${window.meanScore.toFixed(2)} (${window.items})`)), el('td', {})),
      hasCost ? el('tr', { id: 'eval-cost' }, el('td', {}, 'cost'), evaluation.windows.map((window) => el('td', { class: 'heat' }, window.cost === undefined ? '·' : usd(window.cost))), el('td', {})) : ''));
  main.append(el('div', { class: 'panel' }, el('h2', {}, 'Eval score by upstream and eval run (UTC)'), el('div', { class: 'scroll' }, crossTab)));
  main.append(
    el('div', { class: 'panel' }, el('h2', {}, 'Eval items'),
      el('div', { class: 'scroll' },
        table(
          [{ label: 'time (UTC)' }, { label: 'item' }, { label: 'upstream' }, { label: 'score', numeric: true }, { label: 'run' }],
          evaluation.items.map((item) =>
            el('tr', {},
              el('td', { 'data-sort': item.startMs }, time(item.startMs)),
              el('td', {}, el('a', { href: `/traces?trace=${item.traceId}&span=${item.spanId}` }, item.itemId)),
              el('td', {}, upstreamBadge(item.upstream)),
              el('td', { class: 'num' }, item.score.toFixed(2)),
              el('td', { class: 'mono' }, item.runId))),
        ))),
  );
  const categories = evaluation.windows.map((window) => shortTime(window.startMs));
  const areas = evaluation.windowsOfChange
    .map((window) => {
      const start = evaluation.windows.find((candidate) => candidate.startMs >= window.fromMs);
      const end = [...evaluation.windows].reverse().find((candidate) => candidate.startMs < (window.toMs ?? Infinity));
      return start && end ? [{ xAxis: shortTime(start.startMs), name: `${window.gateway}: upstream change` }, { xAxis: shortTime(end.startMs) }] : undefined;
    })
    .filter((area) => area !== undefined);
  chart(chartContainer).setOption({
    tooltip: { trigger: 'axis' },
    legend: { top: 0, type: 'scroll' },
    grid: { left: 40, right: 16, top: 30, bottom: 30 },
    xAxis: { type: 'category', data: categories },
    yAxis: { type: 'value', min: 0, max: 1 },
    series: [
      {
        name: 'all',
        type: 'line',
        lineStyle: { width: 3, color: '#1d2330' },
        itemStyle: { color: '#1d2330' },
        data: evaluation.windows.map((window) => Number(window.meanScore.toFixed(3))),
        ...(areas.length ? { markArea: { itemStyle: { color: 'rgba(200,50,60,0.10)' }, label: { color: '#c8323c' }, data: areas } } : {}),
      },
      ...evaluation.rows.map((row) => ({
        name: row.upstream,
        type: 'line',
        connectNulls: false,
        itemStyle: { color: colorOf(row.upstream) },
        lineStyle: { color: colorOf(row.upstream) },
        data: row.cells.map((cell) => (cell.meanScore === undefined ? null : Number(cell.meanScore.toFixed(3)))),
      })),
    ],
  });
  setReady();
}

// ---------------------------------------------------------------- Cost, policy, errors
/** Cost by gateway → upstream, the routing-policy timeline, who refused, gateway disagreements. */
export async function costPage(main: HTMLElement): Promise<void> {
  const [cost, policies, errors, gatewaySpans] = await Promise.all([
    getJson<CostResponse>('/api/cost'),
    getJson<PoliciesResponse>('/api/policies'),
    getJson<ErrorsResponse>('/api/errors'),
    getJson<GatewaySpansResponse>('/api/gateway-spans'),
  ]);
  const costed = cost.rows.filter((row) => row.callsWithCost > 0);
  const chartContainer = el('div', { class: 'chart small', id: 'cost-chart' });
  main.replaceChildren(
    el('div', { class: 'panel', id: 'cost-panel' },
      el('h2', {}, `Cost by gateway → upstream (gen_ai.usage.cost, ${usd(cost.totalCost)} total)`),
      costed.length ? chartContainer : el('p', { class: 'muted' }, 'No call carries gen_ai.usage.cost.'),
      el('div', { class: 'scroll' },
        table(
          [{ label: 'gateway' }, { label: 'upstream' }, { label: 'calls', numeric: true }, { label: 'with cost', numeric: true }, { label: 'total', numeric: true }, { label: 'per call', numeric: true }],
          cost.rows.map((row) =>
            el('tr', { 'data-upstream': row.upstream },
              el('td', {}, row.gateway), el('td', {}, upstreamBadge(row.upstream)), el('td', { class: 'num' }, row.calls), el('td', { class: 'num' }, row.callsWithCost),
              el('td', { class: 'num', 'data-sort': row.totalCost }, row.callsWithCost ? usd(row.totalCost) : '·'),
              el('td', { class: 'num', 'data-sort': row.meanCost ?? -1 }, row.meanCost === undefined ? '·' : usd(row.meanCost)))),
        ))),
    el('div', { class: 'panel', id: 'policy-panel' },
      el('h2', {}, 'Routing policy (gen_ai.route.policy)'),
      policies.series.length === 0 ? el('p', { class: 'muted' }, 'No call carries gen_ai.route.policy_hash.') : '',
      policies.changes.map((change) => el('p', { class: 'sentence policy' }, `${time(change.atMs)} UTC: ${change.serviceName} → ${change.gateway} changed ${change.fromHash} → ${change.toHash}`)),
      el('div', { class: 'scroll' },
        table(
          [{ label: 'service' }, { label: 'gateway' }, { label: 'from (UTC)' }, { label: 'to (UTC)' }, { label: 'hash' }, { label: 'policy' }, { label: 'calls', numeric: true }],
          policies.series.flatMap((series) =>
            series.periods.map((period) =>
              el('tr', {},
                el('td', {}, series.serviceName), el('td', {}, series.gateway), el('td', { 'data-sort': period.fromMs }, time(period.fromMs)), el('td', {}, time(period.toMs)),
                el('td', { class: 'mono' }, period.hash), el('td', { class: 'mono policy-text' }, period.policy), el('td', { class: 'num' }, period.calls)))),
        ))),
    el('div', { class: 'panel', id: 'errors-panel' },
      el('h2', {}, 'Failed calls by who refused them (gen_ai.route.error_source) and cache hits'),
      errors.rows.length === 0 ? el('p', { class: 'muted' }, 'No failed calls and no cache hits.') : '',
      el('div', { class: 'scroll' },
        table(
          [{ label: 'gateway' }, { label: 'source' }, { label: 'errors', numeric: true }, { label: 'cache hits', numeric: true }],
          errors.rows.map((row) => el('tr', { 'data-source': row.source }, el('td', {}, row.gateway), el('td', {}, row.source), el('td', { class: 'num' }, row.errors), el('td', { class: 'num' }, row.cacheHits))),
        ))),
    el('div', { class: 'panel', id: 'gateway-panel' },
      el('h2', {}, 'Gateway spans joined to client calls'),
      el('p', { class: 'muted' }, `${gatewaySpans.joinedCalls} client model calls carry their gateway's own spans; ${gatewaySpans.disagreements.length} disagree on the upstream.`),
      gatewaySpans.disagreements.length
        ? el('div', { class: 'scroll' },
            table(
              [{ label: 'time (UTC)' }, { label: 'trace' }, { label: 'gateway' }, { label: 'client says' }, { label: 'gateway says' }],
              gatewaySpans.disagreements.map((entry) =>
                el('tr', {},
                  el('td', {}, time(entry.startMs)), el('td', {}, el('a', { class: 'mono', href: `/traces?trace=${entry.traceId}&span=${entry.spanId}` }, entry.traceId.slice(0, 16))),
                  el('td', {}, entry.gateway), el('td', {}, upstreamBadge(entry.clientUpstream)), el('td', {}, `${entry.gatewayUpstream} (${entry.gatewayUpstreamId})`))),
            ))
        : ''),
  );
  if (costed.length) {
    chart(chartContainer).setOption({
      tooltip: { trigger: 'axis' },
      grid: { left: 60, right: 16, top: 16, bottom: 60 },
      xAxis: { type: 'category', data: costed.map((row) => `${row.gateway} → ${row.upstream}`), axisLabel: { rotate: narrow() ? 40 : 0, fontSize: 11 } },
      yAxis: { type: 'value', axisLabel: { formatter: '${value}' } },
      series: [{ type: 'bar', data: costed.map((row) => ({ value: Number(row.totalCost.toFixed(6)), itemStyle: { color: colorOf(row.upstream) } })) }],
    });
  }
  setReady();
}
