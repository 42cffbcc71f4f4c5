// The viewer's pages (built into dist/browser/viewer.js by the package build).
import type { SummaryResponse } from '../api-types';
import { costPage, driftPage, evalPage, topologyPage } from './analysis-pages';
import { el, getJson, TIME_ZONE } from './dom';
import { tracesPage } from './traces-page';

const page = document.body.dataset.page ?? 'traces';
const main = document.getElementById('main')!;

for (const link of document.querySelectorAll<HTMLAnchorElement>('[data-nav]')) {
  if (link.dataset.nav === page) link.classList.add('active');
}
getJson<SummaryResponse>('/api/summary')
  .then((summary) => {
    document.getElementById('summary')!.textContent =
      `${summary.spans.toLocaleString('en')} spans · ${summary.traces.toLocaleString('en')} traces · ${summary.modelCalls.toLocaleString('en')} model calls · times in ${TIME_ZONE}`;
  })
  .catch(() => undefined);

const pages: Record<string, (container: HTMLElement) => Promise<void>> = { traces: tracesPage, topology: topologyPage, drift: driftPage, eval: evalPage, cost: costPage };
(pages[page] ?? tracesPage)(main).catch((error: unknown) => {
  main.replaceChildren(el('p', { class: 'notice error' }, `Could not load: ${(error as Error).message}`));
  document.body.dataset.ready = 'error';
});
