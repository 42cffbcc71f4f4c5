import type { ApiSpan, AttributesResponse, GatewayDisagreement, TraceResponse, TracesResponse } from '../api-types';
import { parseFilter } from '../filter';
import { ApiRequestError, durationText, el, getJson, notice, setReady, shortTime, table, time, upstreamBadge } from './dom';

const ROUTE_KEY = /^(gen_ai\.route\.|gen_ai\.response\.model$|gen_ai\.request\.model$|gen_ai\.system$|gen_ai\.provider\.name$|gen_ai\.usage\.cost$|cloud\.region$|aws\.region$)/;

/** The Traces page: filter, list, span tree, span attributes; filter, trace and span in the URL. */
export async function tracesPage(main: HTMLElement): Promise<void> {
  const parameters = new URLSearchParams(location.search);
  const filters = parameters.getAll('filter').filter((filter) => filter.trim());
  const input = el('input', { type: 'text', id: 'filter-input', list: 'filter-suggestions', placeholder: 'gen_ai.route.upstream = together', 'aria-describedby': 'filter-error' });
  const suggestions = el('datalist', { id: 'filter-suggestions' });
  const filterError = el('p', { id: 'filter-error', class: 'filter-error', role: 'alert' });
  const chips = el('span', { id: 'filter-chips' });
  const listContainer = el('div', { id: 'trace-list', class: 'scroll' });
  const detail = el('div', { id: 'trace-detail' }, el('p', { class: 'muted' }, 'Select a trace.'));
  const count = el('span', { id: 'trace-count', class: 'muted' });

  function updateUrl(extra: Record<string, string | undefined> = {}): void {
    const next = new URLSearchParams();
    for (const filter of filters) next.append('filter', filter);
    for (const [key, value] of Object.entries(extra)) if (value) next.set(key, value);
    history.replaceState(null, '', `/traces?${next}`);
  }
  function showFilterError(message: string): void {
    filterError.textContent = message;
    input.classList.toggle('invalid', message !== '');
  }
  function addFilter(text: string): void {
    const trimmed = text.trim();
    if (!trimmed) return;
    const parsed = parseFilter(trimmed);
    if (!parsed.ok) return showFilterError(`Filter not added: ${parsed.message}`);
    showFilterError('');
    if (filters.includes(trimmed)) return;
    filters.push(trimmed);
    input.value = '';
    updateUrl();
    void loadList();
  }
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') addFilter(input.value);
  });
  input.addEventListener('input', () => {
    const parsed = input.value.trim() ? parseFilter(input.value) : undefined;
    showFilterError(parsed && !parsed.ok ? parsed.message : '');
  });

  main.replaceChildren(
    el('div', { class: 'controls' }, input, suggestions, el('button', { id: 'add-filter', onclick: () => addFilter(input.value) }, 'Add filter'), chips, count),
    filterError,
    el('div', { class: 'split' }, el('div', { class: 'panel' }, listContainer), el('div', { class: 'panel detail-panel' }, detail)),
  );

  getJson<AttributesResponse>('/api/attributes')
    .then(({ attributes }) => {
      const options: HTMLOptionElement[] = [];
      for (const attribute of attributes) {
        for (const value of attribute.values.slice(0, 12)) options.push(el('option', { value: `${attribute.key} = ${value.value}` }));
      }
      suggestions.replaceChildren(...options.slice(0, 400));
    })
    .catch(() => undefined);

  async function loadList(): Promise<void> {
    chips.replaceChildren(
      ...filters.map((filter) =>
        el('span', { class: 'chip' }, filter,
          el('button', {
            title: 'remove',
            onclick: () => {
              filters.splice(filters.indexOf(filter), 1);
              updateUrl();
              void loadList();
            },
          }, '×')),
      ),
    );
    const query = new URLSearchParams();
    for (const filter of filters) query.append('filter', filter);
    query.set('limit', '200');
    let answer: TracesResponse;
    try {
      answer = await getJson<TracesResponse>(`/api/traces?${query}`);
    } catch (error) {
      // A bad filter from the URL: say which and why, keep the page.
      if (error instanceof ApiRequestError && error.body.filterErrors?.length) {
        showFilterError(error.body.filterErrors.map((problem) => `"${problem.filter}": ${problem.message}`).join('; '));
        count.textContent = '';
        listContainer.replaceChildren(notice('Fix or remove the filter above.', 'info'));
        return;
      }
      throw error;
    }
    const { total, traces } = answer;
    count.textContent = `${total.toLocaleString('en')} traces${total > traces.length ? ` (newest ${traces.length} shown)` : ''}`;
    const rows = traces.map((trace) =>
      el('tr', { class: 'clickable', 'data-trace-id': trace.traceId, onclick: (event: Event) => void selectTrace(trace.traceId, event.currentTarget as HTMLTableRowElement) },
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
          { label: 'start (UTC)' }, { label: 'root span' }, { label: 'duration', numeric: true }, { label: 'calls', numeric: true },
          { label: 'gateways' }, { label: 'upstreams' }, { label: 'eval', numeric: true }, { label: 'errors', numeric: true },
        ],
        rows,
      ),
    );
  }

  async function selectTrace(traceId: string, row: HTMLTableRowElement | null, spanId?: string | null): Promise<void> {
    for (const selected of listContainer.querySelectorAll('tr.selected')) selected.classList.remove('selected');
    row?.classList.add('selected');
    updateUrl({ trace: traceId, span: spanId ?? undefined });
    let answer: TraceResponse;
    try {
      answer = await getJson<TraceResponse>(`/api/traces/${encodeURIComponent(traceId)}`);
    } catch (error) {
      if (error instanceof ApiRequestError && (error.status === 404 || error.status === 400)) {
        detail.replaceChildren(notice(`Trace ${traceId.slice(0, 64)} is not in the store: ${error.body.error}.`));
        return;
      }
      throw error;
    }
    renderTrace(traceId, answer, spanId);
  }

  function renderTrace(traceId: string, answer: TraceResponse, spanId?: string | null): void {
    const { spans, disagreements } = answer;
    const disagreementOf = new Map<string, GatewayDisagreement>(disagreements.map((entry) => [entry.spanId, entry]));
    const children = new Map<string, ApiSpan[]>();
    const ids = new Set(spans.map((span) => span.spanId));
    for (const span of spans) {
      const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : '';
      let list = children.get(parent);
      if (!list) children.set(parent, (list = []));
      list.push(span);
    }
    const traceStart = Math.min(...spans.map((span) => span.startMs));
    const traceEnd = Math.max(...spans.map((span) => span.endMs));
    const width = Math.max(1, traceEnd - traceStart);
    const attributesPanel = el('div', { id: 'span-attributes' });
    const rows: HTMLTableRowElement[] = [];
    const walk = (parent: string, depth: number) => {
      for (const span of (children.get(parent) ?? []).sort((a, b) => a.startMs - b.startMs)) {
        const upstream = span.attributes['gen_ai.route.upstream'];
        const gateway = span.attributes['gen_ai.route.gateway'];
        const gatewaySide = span.mark === 'gateway' ? span.attributes['gen_ai.provider.name'] : undefined;
        const disagreement = disagreementOf.get(span.spanId);
        rows.push(
          el('tr', { class: `clickable${span.mark === 'gateway' ? ' gateway-span' : ''}`, 'data-span-id': span.spanId, onclick: (event: Event) => showSpan(span, event.currentTarget as HTMLTableRowElement) },
            el('td', { class: 'span-name', style: `padding-left:${6 + Math.min(depth, 12) * 14}px` },
              el('span', { class: 'name-text', title: span.name }, span.name), ' ',
              span.mark === 'gateway' ? el('span', { class: 'badge gateway', title: `${span.serviceName}'s own span` }, `${span.serviceName} span`) : '',
              span.mark === 'wrapper' ? el('span', { class: 'badge', title: 'wraps the model calls below; not counted' }, 'wrapper') : '',
              gateway ? el('span', { class: 'badge' }, gateway) : '',
              upstream ? upstreamBadge(upstream) : '',
              gatewaySide ? upstreamBadge(gatewaySide) : '',
              disagreement ? el('span', { class: 'badge error disagreement', title: 'the gateway\u2019s own span names another upstream' }, `${disagreement.gateway} says ${disagreement.gatewayUpstream}`) : '',
              span.statusCode === 2 ? el('span', { class: 'badge error' }, 'error') : ''),
            el('td', { class: 'num duration' }, durationText(span.endMs - span.startMs)),
            el('td', { class: 'bar-cell' },
              el('div', { class: 'bar', style: `margin-left:${((span.startMs - traceStart) / width) * 100}%;width:${Math.max(0.5, ((span.endMs - span.startMs) / width) * 100)}%` })),
          ),
        );
        walk(span.spanId, depth + 1);
      }
    };
    walk('', 0);
    function showSpan(span: ApiSpan, spanRow: HTMLTableRowElement | null): void {
      for (const selected of detail.querySelectorAll('tr.selected')) selected.classList.remove('selected');
      spanRow?.classList.add('selected');
      updateUrl({ trace: traceId, span: span.spanId });
      const entries = Object.entries(span.attributes).sort(([a], [b]) => Number(!ROUTE_KEY.test(a)) - Number(!ROUTE_KEY.test(b)) || a.localeCompare(b));
      attributesPanel.replaceChildren(
        el('h3', {}, span.name, ' ', el('span', { class: 'muted mono' }, span.spanId)),
        el('p', { class: 'muted' }, `${span.serviceName} · ${span.scopeName} · ${time(span.startMs)} UTC · ${durationText(span.endMs - span.startMs)}`, span.statusMessage ? ` · ${span.statusMessage}` : ''),
        el('table', { id: 'attribute-table' },
          el('tbody', {}, entries.map(([key, value]) =>
            el('tr', { class: ROUTE_KEY.test(key) ? 'route' : undefined, 'data-key': key }, el('td', { class: 'mono key' }, key), el('td', { class: 'mono value' }, value))))),
        span.links.length
          ? el('p', {}, 'Links: ', span.links.map((link) => el('a', { href: `/traces?trace=${link.traceId}&span=${link.spanId}`, class: 'mono' }, `${link.traceId.slice(0, 8)}…/${link.spanId} `)))
          : '',
      );
    }
    detail.replaceChildren(
      el('h3', {}, 'Trace ', el('span', { class: 'mono' }, traceId)),
      disagreements.length ? notice(`${disagreements.length} model call(s) where the gateway's own spans name another upstream than the client recorded.`) : '',
      answer.truncated ? notice(`Only the first ${spans.length} spans are shown.`, 'info') : '',
      el('table', { id: 'span-tree' },
        el('colgroup', {}, el('col', { class: 'col-name' }), el('col', { class: 'col-duration' }), el('col', { class: 'col-bar' })),
        el('tbody', {}, rows)),
      attributesPanel,
    );
    const initial = spans.find((span) => span.spanId === spanId);
    if (initial) showSpan(initial, detail.querySelector(`tr[data-span-id="${CSS.escape(initial.spanId)}"]`));
  }

  await loadList();
  const traceId = parameters.get('trace');
  if (traceId) {
    await selectTrace(traceId, listContainer.querySelector(`tr[data-trace-id="${CSS.escape(traceId)}"]`), parameters.get('span'));
  }
  setReady();
}
