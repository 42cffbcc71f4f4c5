// servedby viewer: plain browser JavaScript (no build step), charts by Apache ECharts.
'use strict';

const PAGE = document.body.dataset.page;
const main = document.getElementById('main');
const ROUTE_KEY = /^(gen_ai\.route\.|gen_ai\.response\.model$|gen_ai\.request\.model$|gen_ai\.system$|gen_ai\.provider\.name$|cloud\.region$|aws\.region$)/;
const PALETTE = ['#3456d1', '#e8663d', '#1f8a4c', '#9b4dca', '#c8323c', '#0f9bb5', '#d4a106', '#5d6b82', '#e05ba0', '#6aa84f'];
const upstreamColors = new Map();

/** Creates an element: el('td', { class: 'num' }, 'text', child…). */
function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'class') node.className = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function getJson(path) {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

function time(ms) {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
function shortTime(ms) {
  return new Date(ms).toISOString().slice(5, 16).replace('T', ' ');
}
function percent(share) {
  return `${Math.round(share * 100)}%`;
}
function durationText(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}
// Fixed colours for the common upstreams so every page paints a provider the same way.
const KNOWN_COLORS = {
  anthropic: '#c96442', together: '#1f6feb', openai: '#10a37f', 'azure.ai.openai': '#0078d4', 'aws.bedrock': '#e08a00',
  'gcp.vertex_ai': '#8e44ad', 'gcp.gemini': '#5e35b1', unknown: '#9aa3b5', meta: '#0866ff', mistral_ai: '#fa520f',
};
function colorOf(upstream) {
  if (KNOWN_COLORS[upstream]) return KNOWN_COLORS[upstream];
  if (!upstreamColors.has(upstream)) {
    let hash = 0;
    for (const character of upstream) hash = (hash * 31 + character.charCodeAt(0)) >>> 0;
    upstreamColors.set(upstream, PALETTE[hash % PALETTE.length]);
  }
  return upstreamColors.get(upstream);
}
function upstreamBadge(upstream) {
  return el('span', { class: 'badge upstream', style: `background:${colorOf(upstream)}` }, upstream);
}
function setReady() {
  document.body.dataset.ready = 'true';
  window.servedbyRenderMs = performance.now();
}
function chart(container) {
  const instance = echarts.init(container, null, { renderer: 'canvas' });
  // Marks the chart once its animation has settled, so screenshots and tests see the whole figure.
  instance.on('finished', () => {
    if (instance.getOption()?.series?.length) container.dataset.rendered = 'true';
  });
  window.addEventListener('resize', () => instance.resize());
  return instance;
}

/**
 * Makes a table sortable by clicking its headers. Rows carry their sort keys in
 * data-sort-<column> attributes (numbers sort numerically).
 */
function sortable(table) {
  const headers = [...table.querySelectorAll('th')];
  headers.forEach((header, column) => {
    header.classList.add('sortable');
    header.addEventListener('click', () => {
      const ascending = !header.classList.contains('sorted-asc');
      headers.forEach((other) => other.classList.remove('sorted-asc', 'sorted-desc'));
      header.classList.add(ascending ? 'sorted-asc' : 'sorted-desc');
      const body = table.tBodies[0];
      const rows = [...body.rows];
      const key = (row) => {
        const cell = row.cells[column];
        const raw = cell?.dataset.sort ?? cell?.textContent ?? '';
        const number = Number(raw);
        return raw !== '' && Number.isFinite(number) ? number : raw.toLowerCase();
      };
      rows.sort((a, b) => {
        const left = key(a);
        const right = key(b);
        const order = left < right ? -1 : left > right ? 1 : 0;
        return ascending ? order : -order;
      });
      body.append(...rows);
    });
  });
  return table;
}

function table(headers, rows) {
  return sortable(
    el(
      'table',
      {},
      el('thead', {}, el('tr', {}, headers.map((header) => el('th', { class: header.numeric ? 'num' : undefined }, header.label)))),
      el('tbody', {}, rows),
    ),
  );
}

function navigation() {
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === PAGE) link.classList.add('active');
  }
  getJson('/api/summary')
    .then((summary) => {
      document.getElementById('summary').textContent = `${summary.spans.toLocaleString()} spans · ${summary.traces.toLocaleString()} traces · ${summary.modelCalls.toLocaleString()} model calls`;
    })
    .catch(() => {});
}

// ---------------------------------------------------------------- Traces
async function tracesPage() {
  const parameters = new URLSearchParams(location.search);
  const filters = parameters.getAll('filter');
  const input = el('input', { type: 'text', id: 'filter-input', list: 'filter-suggestions', placeholder: 'gen_ai.route.upstream = together' });
  const suggestions = el('datalist', { id: 'filter-suggestions' });
  const chips = el('span', { id: 'filter-chips' });
  const listContainer = el('div', { id: 'trace-list', class: 'scroll' });
  const detail = el('div', { id: 'trace-detail' }, el('p', { class: 'muted' }, 'Select a trace.'));
  const count = el('span', { id: 'trace-count', class: 'muted' });

  function updateUrl(extra) {
    const next = new URLSearchParams();
    for (const filter of filters) next.append('filter', filter);
    for (const [key, value] of Object.entries(extra || {})) if (value) next.set(key, value);
    history.replaceState(null, '', `/traces?${next}`);
  }
  function addFilter(text) {
    if (!text.trim() || filters.includes(text.trim())) return;
    filters.push(text.trim());
    input.value = '';
    updateUrl();
    loadList();
  }
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') addFilter(input.value);
  });

  main.replaceChildren(
    el(
      'div',
      { class: 'controls' },
      input,
      suggestions,
      el('button', { id: 'add-filter', onclick: () => addFilter(input.value) }, 'Add filter'),
      chips,
      count,
    ),
    el('div', { class: 'split' }, el('div', { class: 'panel' }, listContainer), el('div', { class: 'panel' }, detail)),
  );

  getJson('/api/attributes').then(({ attributes }) => {
    const options = [];
    for (const attribute of attributes) {
      for (const value of attribute.values.slice(0, 12)) options.push(el('option', { value: `${attribute.key} = ${value.value}` }));
    }
    suggestions.replaceChildren(...options.slice(0, 400));
  });

  async function loadList() {
    chips.replaceChildren(
      ...filters.map((filter) =>
        el(
          'span',
          { class: 'chip' },
          filter,
          el('button', {
            title: 'remove',
            onclick: () => {
              filters.splice(filters.indexOf(filter), 1);
              updateUrl();
              loadList();
            },
          }, '×'),
        ),
      ),
    );
    const query = new URLSearchParams();
    for (const filter of filters) query.append('filter', filter);
    query.set('limit', '200');
    const { total, traces } = await getJson(`/api/traces?${query}`);
    count.textContent = `${total.toLocaleString()} traces${total > traces.length ? ` (newest ${traces.length} shown)` : ''}`;
    const rows = traces.map((trace) =>
      el(
        'tr',
        { class: 'clickable', 'data-trace-id': trace.traceId, onclick: (event) => selectTrace(trace.traceId, event.currentTarget) },
        el('td', { 'data-sort': trace.startMs }, shortTime(trace.startMs)),
        el('td', { class: 'span-name' }, trace.rootName),
        el('td', { class: 'num', 'data-sort': trace.durationMs }, durationText(trace.durationMs)),
        el('td', { class: 'num' }, trace.modelCalls),
        el('td', {}, trace.gateways.join(', ')),
        el('td', { 'data-sort': trace.upstreams.join(',') }, trace.upstreams.map(upstreamBadge)),
        el('td', { class: 'num', 'data-sort': trace.evalScore ?? -1 }, trace.evalScore === undefined ? '' : trace.evalScore.toFixed(2)),
        el('td', { class: 'num' }, trace.errors ? el('span', { class: 'badge error' }, trace.errors) : ''),
      ),
    );
    listContainer.replaceChildren(
      table(
        [
          { label: 'start' }, { label: 'root span' }, { label: 'duration', numeric: true },
          { label: 'model calls', numeric: true }, { label: 'gateways' }, { label: 'upstreams' },
          { label: 'eval', numeric: true }, { label: 'errors', numeric: true },
        ],
        rows,
      ),
    );
  }

  async function selectTrace(traceId, row, spanId) {
    for (const selected of listContainer.querySelectorAll('tr.selected')) selected.classList.remove('selected');
    if (row) row.classList.add('selected');
    updateUrl({ trace: traceId, span: spanId });
    const { spans } = await getJson(`/api/traces/${traceId}`);
    const children = new Map();
    const ids = new Set(spans.map((span) => span.spanId));
    for (const span of spans) {
      const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : '';
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(span);
    }
    const traceStart = Math.min(...spans.map((span) => span.startMs));
    const traceEnd = Math.max(...spans.map((span) => span.endMs));
    const width = Math.max(1, traceEnd - traceStart);
    const attributesPanel = el('div', { id: 'span-attributes' });
    const rows = [];
    const walk = (parent, depth) => {
      for (const span of (children.get(parent) || []).sort((a, b) => a.startMs - b.startMs)) {
        const upstream = span.attributes['gen_ai.route.upstream'];
        const gateway = span.attributes['gen_ai.route.gateway'];
        rows.push(
          el(
            'tr',
            { class: 'clickable', 'data-span-id': span.spanId, onclick: (event) => showSpan(span, event.currentTarget) },
            el(
              'td',
              { class: 'span-name', style: `padding-left:${8 + depth * 16}px` },
              span.name,
              ' ',
              gateway ? el('span', { class: 'badge' }, gateway) : '',
              upstream ? upstreamBadge(upstream) : '',
              span.statusCode === 2 ? el('span', { class: 'badge error' }, 'error') : '',
            ),
            el('td', { class: 'num' }, durationText(span.endMs - span.startMs)),
            el(
              'td',
              { class: 'bar-cell' },
              el('div', {
                class: 'bar',
                style: `margin-left:${((span.startMs - traceStart) / width) * 100}%;width:${Math.max(0.5, ((span.endMs - span.startMs) / width) * 100)}%`,
              }),
            ),
          ),
        );
        walk(span.spanId, depth + 1);
      }
    };
    walk('', 0);
    function showSpan(span, spanRow) {
      for (const selected of detail.querySelectorAll('tr.selected')) selected.classList.remove('selected');
      if (spanRow) spanRow.classList.add('selected');
      updateUrl({ trace: traceId, span: span.spanId });
      const entries = Object.entries(span.attributes).sort(([a], [b]) => {
        const routeOrder = Number(!ROUTE_KEY.test(a)) - Number(!ROUTE_KEY.test(b));
        return routeOrder || a.localeCompare(b);
      });
      attributesPanel.replaceChildren(
        el('h3', {}, span.name, ' ', el('span', { class: 'muted mono' }, span.spanId)),
        el('p', { class: 'muted' }, `${span.serviceName} · ${span.scopeName} · ${time(span.startMs)} · ${durationText(span.endMs - span.startMs)}`,
          span.statusMessage ? ` · ${span.statusMessage}` : ''),
        el(
          'table',
          { id: 'attribute-table' },
          el('tbody', {}, entries.map(([key, value]) =>
            el('tr', { class: ROUTE_KEY.test(key) ? 'route' : undefined, 'data-key': key },
              el('td', { class: 'mono' }, key),
              el('td', { class: 'mono' }, Array.isArray(value) ? JSON.stringify(value) : String(value))))),
        ),
        span.links.length
          ? el('p', {}, 'Links: ', span.links.map((link) => el('a', { href: `/traces?trace=${link.traceId}&span=${link.spanId}`, class: 'mono' }, `${link.traceId.slice(0, 8)}…/${link.spanId}`)))
          : '',
      );
    }
    detail.replaceChildren(
      el('h3', {}, 'Trace ', el('span', { class: 'mono' }, traceId)),
      el('table', { id: 'span-tree' }, el('tbody', {}, rows)),
      attributesPanel,
    );
    const initial = spans.find((span) => span.spanId === spanId);
    if (initial) showSpan(initial, detail.querySelector(`tr[data-span-id="${spanId}"]`));
  }

  await loadList();
  const traceId = parameters.get('trace');
  if (traceId) await selectTrace(traceId, listContainer.querySelector(`tr[data-trace-id="${traceId}"]`), parameters.get('span'));
  setReady();
}

// ---------------------------------------------------------------- Topology
async function topologyPage() {
  const [summary, drift] = await Promise.all([getJson('/api/summary'), getJson('/api/drift')]);
  const presets = [{ label: 'All data', fromMs: undefined, toMs: undefined }];
  for (const window of drift.windows) {
    const label = `${window.gateway} ${window.requestModel}`;
    presets.push({ label: `Before the change (${label})`, fromMs: undefined, toMs: window.fromMs });
    presets.push({ label: `During the change ${shortTime(window.fromMs)} → ${window.toMs ? shortTime(window.toMs) : 'end'} (${label})`, fromMs: window.fromMs, toMs: window.toMs });
    if (window.toMs) presets.push({ label: `After recovery (${label})`, fromMs: window.toMs, toMs: undefined });
  }
  const select = el('select', { id: 'window-select' }, presets.map((preset, index) => el('option', { value: index }, preset.label)));
  const fromInput = el('input', { type: 'datetime-local', id: 'window-from', step: 60 });
  const toInput = el('input', { type: 'datetime-local', id: 'window-to', step: 60 });
  const chartContainer = el('div', { class: 'chart', id: 'topology-chart', style: 'height:460px' });
  const sentences = el('div', { id: 'topology-sentences' });
  const tables = el('div', { id: 'topology-tables' });
  main.replaceChildren(
    el('div', { class: 'controls' }, 'Window:', select, 'from', fromInput, 'to', toInput,
      el('button', { class: 'secondary', onclick: () => load(parseLocal(fromInput.value), parseLocal(toInput.value)) }, 'Apply')),
    el('div', { class: 'panel' }, el('h2', {}, 'Requested model → gateway → upstream'), chartContainer),
    el('div', { class: 'panel' }, sentences),
    tables,
  );
  const sankey = chart(chartContainer);
  const toLocal = (ms) => (ms === undefined ? '' : new Date(ms).toISOString().slice(0, 16));
  const parseLocal = (text) => (text ? Date.parse(`${text}Z`) : undefined);

  async function load(fromMs, toMs) {
    fromInput.value = toLocal(fromMs ?? summary.fromMs);
    toInput.value = toLocal(toMs ?? summary.toMs);
    const query = new URLSearchParams();
    if (fromMs !== undefined) query.set('from', fromMs);
    if (toMs !== undefined) query.set('to', toMs);
    const topology = await getJson(`/api/topology?${query}`);
    const nodes = new Map();
    const links = [];
    const node = (name, depth) => {
      if (!nodes.has(name)) nodes.set(name, { name, depth });
    };
    for (const model of topology.models) {
      node(`model: ${model.requestModel}`, 0);
      const gatewayTotals = new Map();
      for (const flow of model.flows) gatewayTotals.set(flow.gateway, (gatewayTotals.get(flow.gateway) || 0) + flow.calls);
      for (const [gateway, calls] of gatewayTotals) {
        node(`gateway: ${gateway}`, 1);
        links.push({ source: `model: ${model.requestModel}`, target: `gateway: ${gateway}`, value: calls });
      }
    }
    const upstreamLinks = new Map();
    for (const model of topology.models) {
      for (const flow of model.flows) {
        node(`upstream: ${flow.upstream}`, 2);
        const key = `${flow.gateway}\u0000${flow.upstream}`;
        upstreamLinks.set(key, (upstreamLinks.get(key) || 0) + flow.calls);
      }
    }
    for (const [key, value] of upstreamLinks) {
      const [gateway, upstream] = key.split('\u0000');
      links.push({ source: `gateway: ${gateway}`, target: `upstream: ${upstream}`, value });
    }
    sankey.setOption(
      {
        tooltip: { trigger: 'item' },
        series: [
          {
            type: 'sankey',
            left: 20,
            right: 170,
            layoutIterations: 32,
            nodeAlign: 'justify',
            emphasis: { focus: 'adjacency' },
            data: [...nodes.values()].map((entry) => ({
              name: entry.name,
              itemStyle: entry.name.startsWith('upstream: ') ? { color: colorOf(entry.name.slice(10)) } : undefined,
            })),
            links,
            lineStyle: { color: 'gradient', opacity: 0.4 },
            label: { fontSize: 12 },
          },
        ],
      },
      true,
    );
    sentences.replaceChildren(
      el('h2', {}, `${topology.calls.toLocaleString()} model calls in the window`),
      ...topology.models.map((model) =>
        el('p', { class: 'sentence' }, `${model.requestModel}: `,
          model.flows.map((flow) => `${percent(flow.share)} via ${flow.gateway === 'direct' ? 'direct call to' : `${flow.gateway} →`} ${flow.upstream}`).join(', '),
          ` (${model.calls} calls)`),
      ),
    );
    tables.replaceChildren(
      el('div', { class: 'panel' },
        el('h2', {}, 'Flows'),
        table(
          [{ label: 'requested model' }, { label: 'gateway' }, { label: 'upstream' }, { label: 'calls', numeric: true }, { label: 'share', numeric: true }, { label: 'errors', numeric: true }],
          topology.models.flatMap((model) =>
            model.flows.map((flow) =>
              el('tr', { 'data-upstream': flow.upstream },
                el('td', {}, model.requestModel), el('td', {}, flow.gateway), el('td', {}, upstreamBadge(flow.upstream)),
                el('td', { class: 'num' }, flow.calls), el('td', { class: 'num', 'data-sort': flow.share }, percent(flow.share)),
                el('td', { class: 'num' }, flow.errors)),
            ),
          ),
        )),
    );
  }
  select.addEventListener('change', () => {
    const preset = presets[Number(select.value)];
    load(preset.fromMs, preset.toMs);
  });
  const duringIndex = presets.findIndex((preset) => preset.label.startsWith('During'));
  const initialIndex = new URLSearchParams(location.search).get('window') === 'change' && duringIndex > 0 ? duringIndex : 0;
  select.value = String(initialIndex);
  await load(presets[initialIndex].fromMs, presets[initialIndex].toMs);
  setReady();
}

// ---------------------------------------------------------------- Drift
async function driftPage() {
  const parameters = new URLSearchParams(location.search);
  const bucketSelect = el('select', { id: 'bucket-select' },
    [['', 'automatic'], ['900000', '15 min'], ['3600000', '1 hour'], ['10800000', '3 hours']].map(([value, label]) => el('option', { value }, label)));
  bucketSelect.value = parameters.get('bucket') || '';
  bucketSelect.addEventListener('change', () => {
    location.search = bucketSelect.value ? `?bucket=${bucketSelect.value}` : '';
  });
  const drift = await getJson(`/api/drift${bucketSelect.value ? `?bucket=${bucketSelect.value}` : ''}`);
  for (const upstream of drift.upstreams) colorOf(upstream);
  const charts = el('div', { class: 'grid2', id: 'drift-charts' });
  const rule = drift.rule;
  main.replaceChildren(
    el('div', { class: 'controls' }, 'Window width:', bucketSelect,
      el('span', { class: 'muted' }, `Change point: the upstream mix of a window differs from the previous window by a total-variation distance ≥ ${rule.threshold} (both windows ≥ ${rule.minCalls} calls).`)),
    el('div', { class: 'panel', id: 'change-list' },
      el('h2', {}, 'Changes'),
      drift.windows.length
        ? drift.windows.map((window) => el('p', { class: 'sentence flag' }, `${window.gateway} ${window.requestModel}: ${time(window.fromMs)} → ${window.toMs ? time(window.toMs) : 'end of data'}: ${window.description}`))
        : el('p', { class: 'muted' }, 'No upstream change.')),
    charts,
  );
  for (const series of drift.series) {
    const container = el('div', { class: 'chart small' });
    charts.append(el('div', { class: 'panel drift-series', 'data-gateway': series.gateway, 'data-model': series.requestModel },
      el('h3', {}, `${series.gateway} · ${series.requestModel}`, el('span', { class: 'muted' }, ` ${series.calls} calls`),
        series.changePoints.length ? el('span', { class: 'flag' }, ` · ${series.changePoints.length} change point${series.changePoints.length > 1 ? 's' : ''}`) : ''),
      container));
    const upstreams = drift.upstreams.filter((upstream) => series.buckets.some((bucket) => bucket.upstreams[upstream]));
    const categories = series.buckets.map((bucket) => shortTime(bucket.startMs));
    const changeLines = series.changePoints.map((point) => ({ xAxis: shortTime(point.atMs), label: { formatter: 'change', color: '#c8323c' } }));
    chart(container).setOption({
      tooltip: { trigger: 'axis', valueFormatter: (value) => (value === undefined ? '' : `${Math.round(value)}%`) },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 30, bottom: 30 },
      xAxis: { type: 'category', data: categories },
      yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
      series: upstreams.map((upstream, index) => ({
        name: upstream,
        type: 'bar',
        stack: 'mix',
        barCategoryGap: '10%',
        itemStyle: { color: colorOf(upstream) },
        data: series.buckets.map((bucket) => (bucket.calls ? ((bucket.upstreams[upstream] || 0) / bucket.calls) * 100 : null)),
        markLine: index === 0 && changeLines.length ? { symbol: 'none', lineStyle: { color: '#c8323c', width: 2, type: 'dashed' }, data: changeLines } : undefined,
      })),
    });
  }
  main.append(
    el('div', { class: 'panel', id: 'changed-traces' },
      el('h2', {}, `Traces whose upstream changed (${drift.changedTraceTotal.toLocaleString()})`),
      el('p', { class: 'muted' }, 'Traces with a model call served by an upstream that had under 5% of its series in the regime before the latest change point (or, before any change, so far).'),
      el('div', { class: 'scroll' },
        table(
          [{ label: 'time' }, { label: 'trace' }, { label: 'gateway' }, { label: 'requested model' }, { label: 'before' }, { label: 'now' }],
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
async function evalPage() {
  const evaluation = await getJson('/api/eval');
  const chartContainer = el('div', { class: 'chart', id: 'eval-chart' });
  const regressions = evaluation.windows.filter((window) => window.regression);
  main.replaceChildren(
    el('div', { class: 'panel', id: 'regressions' },
      el('h2', {}, 'Regressions'),
      regressions.length
        ? regressions.map((window) =>
            el('p', { class: 'sentence' }, el('span', { class: 'flag' }, `${time(window.startMs)}: mean ${window.meanScore.toFixed(2)} vs baseline ${window.regression.baseline.toFixed(2)}`),
              window.regression.coincidesWithUpstreamChange ? el('strong', {}, ' · matches an upstream change: ') : ' · ', window.regression.reason))
        : el('p', { class: 'muted' }, `No eval run dropped ${evaluation.regressionDrop} or more below the runs before it.`)),
    el('div', { class: 'panel' }, el('h2', {}, 'Mean score per eval run and upstream'), chartContainer),
  );
  const cellColor = (score) => `hsl(${Math.round(score * 120)}, 65%, 85%)`;
  const crossTab = el('table', { id: 'eval-crosstab' },
    el('thead', {}, el('tr', {}, el('th', {}, 'upstream'), evaluation.windows.map((window) =>
      el('th', { class: window.regression ? 'flag heat' : 'heat' }, shortTime(window.startMs), window.regression ? ' ⚠' : '')), el('th', { class: 'num' }, 'overall'))),
    el('tbody', {},
      evaluation.rows.map((row) =>
        el('tr', { 'data-upstream': row.upstream },
          el('td', {}, upstreamBadge(row.upstream)),
          row.cells.map((cell) => cell.meanScore === undefined
            ? el('td', { class: 'heat muted' }, '·')
            : el('td', { class: 'heat', style: `background:${cellColor(cell.meanScore)}` }, `${cell.meanScore.toFixed(2)} (${cell.count})`)),
          el('td', { class: 'num' }, `${row.meanScore.toFixed(2)} (${row.count})`))),
      el('tr', {}, el('td', {}, el('strong', {}, 'all')), evaluation.windows.map((window) =>
        el('td', { class: window.regression ? 'heat flag' : 'heat', style: `background:${cellColor(window.meanScore)}` }, `${window.meanScore.toFixed(2)} (${window.items})`)), el('td', {}))));
  main.append(el('div', { class: 'panel' }, el('h2', {}, 'Eval score by upstream and eval run'), el('div', { class: 'scroll' }, crossTab)));
  main.append(
    el('div', { class: 'panel' },
      el('h2', {}, 'Eval items'),
      el('div', { class: 'scroll' },
        table(
          [{ label: 'time' }, { label: 'item' }, { label: 'upstream' }, { label: 'score', numeric: true }, { label: 'run' }],
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
  const areas = (evaluation.windowsOfChange || []).map((window) => {
    const start = evaluation.windows.find((candidate) => candidate.startMs >= window.fromMs);
    const end = [...evaluation.windows].reverse().find((candidate) => candidate.startMs < (window.toMs ?? Infinity));
    return start && end ? [{ xAxis: shortTime(start.startMs), name: `${window.gateway}: upstream change` }, { xAxis: shortTime(end.startMs) }] : undefined;
  }).filter(Boolean);
  chart(chartContainer).setOption({
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
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
        markArea: areas.length ? { itemStyle: { color: 'rgba(200,50,60,0.10)' }, label: { color: '#c8323c' }, data: areas } : undefined,
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

navigation();
const pages = { traces: tracesPage, topology: topologyPage, drift: driftPage, eval: evalPage };
(pages[PAGE] || tracesPage)().catch((error) => {
  main.replaceChildren(el('p', { class: 'flag' }, `Could not load: ${error.message}`));
  document.body.dataset.ready = 'error';
});
