// The pages in Chromium at 1440 px and 400 px, over a synthetic day with the second-round
// attributes. Debian's Chromium through playwright-core (never a downloaded browser);
// CHROMIUM_PATH overrides. Screenshots go to test-output/screenshots/.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startViewerServer, type ViewerServer } from '../server/server';
import { createEmbeddedEngine } from '../store/engine';
import { openTraceStore, type TraceStore } from '../store/trace-store';
import { generateSyntheticSpans } from '../synthetic';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
const SCREENSHOTS = join(import.meta.dirname, '..', '..', 'test-output', 'screenshots');
const END_MS = Date.UTC(2026, 11, 5, 0, 0, 0);
const directory = mkdtempSync(join(tmpdir(), 'servedby-browser-test-'));

describe.skipIf(!available)('viewer pages in Chromium', () => {
  let store: TraceStore;
  let viewer: ViewerServer;
  let browser: Browser;
  let disagreementTrace: string;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    store = await openTraceStore({ engine: createEmbeddedEngine(directory), database: 'browser' });
    await store.insert(generateSyntheticSpans({ traces: 4_000, endMs: END_MS }));
    viewer = await startViewerServer({ store, port: 0 });
    disagreementTrace = (await store.gatewayDisagreements({}, 10)).disagreements[0]!.traceId;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await viewer?.close();
    await store?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  async function open(width: number, path: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: width > 1000 ? 1000 : 860 } });
    const errors: Error[] = [];
    page.on('pageerror', (error) => errors.push(error));
    await page.goto(`${viewer.url}${path}`);
    await page.waitForSelector('body[data-ready]');
    expect(errors).toEqual([]);
    expect(await page.getAttribute('body', 'data-ready')).toBe('true');
    return page;
  }

  /** Nothing may stick out sideways: the page fits its viewport (tables scroll inside their panel). */
  async function expectNoOverflow(page: Page): Promise<void> {
    const overflow = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth }));
    expect(overflow.scroll).toBeLessThanOrEqual(overflow.viewport);
  }

  async function shoot(page: Page, name: string, width: number): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }

  for (const width of [1440, 400]) {
    it(`Traces at ${width}px: inline filter errors, filter → trace → span, gateway spans nested and flagged, times in UTC`, async () => {
      const page = await open(width, '/traces');
      expect(await page.textContent('#summary')).toContain('times in UTC');
      await page.fill('#filter-input', '= together');
      await page.click('#add-filter');
      expect(await page.textContent('#filter-error')).toMatch(/missing attribute name/);
      expect(await page.locator('#filter-chips .chip').count()).toBe(0);
      await page.fill('#filter-input', 'gen_ai.route.upstream = together');
      await page.click('#add-filter');
      await page.waitForSelector('#filter-chips .chip');
      expect(await page.textContent('#filter-error')).toBe('');
      const filtered = await (await fetch(`${viewer.url}/api/traces?filter=${encodeURIComponent('gen_ai.route.upstream = together')}&limit=1`)).json();
      await page.waitForFunction((total) => document.querySelector('#trace-count')?.textContent?.startsWith(`${total} traces`), filtered.total);
      const upstreamCells = await page.$$eval('#trace-list tbody tr', (rows) => rows.map((row) => row.children[5]?.textContent ?? ''));
      expect(upstreamCells.length).toBeGreaterThan(0);
      expect(upstreamCells.every((text) => text.includes('together'))).toBe(true);
      await page.click('#trace-list tbody tr:first-child');
      await page.waitForSelector('#span-tree tr');
      await page.click('#span-tree tr:has-text("chat ")');
      const upstreamRow = page.locator('#attribute-table tr[data-key="gen_ai.route.upstream"]');
      expect(await upstreamRow.getAttribute('class')).toBe('route');
      // The timing column and the attribute table fit their panel.
      const widths = await page.evaluate(() => {
        const bar = document.querySelector('#span-tree td.bar-cell') as HTMLElement;
        const panel = document.querySelector('.detail-panel') as HTMLElement;
        const attributes = document.querySelector('#attribute-table') as HTMLElement;
        return { bar: bar.getBoundingClientRect().width, panel: panel.getBoundingClientRect().width, attributes: attributes.getBoundingClientRect().width };
      });
      expect(widths.bar).toBeGreaterThan(width > 1000 ? 120 : 60);
      expect(widths.attributes).toBeLessThanOrEqual(widths.panel);
      await expectNoOverflow(page);
      await shoot(page, 'traces', width);

      // A trace with OpenRouter's own spans: nested under the client call, the disagreement flagged.
      await page.goto(`${viewer.url}/traces?trace=${disagreementTrace}`);
      await page.waitForSelector('body[data-ready]');
      await page.waitForSelector('#span-tree tr.gateway-span');
      expect(await page.locator('#span-tree tr.gateway-span').count()).toBe(3);
      expect(await page.textContent('#span-tree')).toContain('openrouter says Together');
      await expectNoOverflow(page);
      await shoot(page, 'traces-gateway-spans', width);

      // An unknown trace id is a message inside the page, which stays usable.
      await page.goto(`${viewer.url}/traces?trace=${'0'.repeat(31)}1`);
      await page.waitForSelector('body[data-ready]');
      expect(await page.textContent('#trace-detail')).toMatch(/not in the store/);
      expect(await page.locator('#trace-list tbody tr').count()).toBeGreaterThan(0);
      await page.close();
    });

    it(`Topology at ${width}px: the change window shows OpenRouter serving from Together`, async () => {
      const page = await open(width, '/topology?window=change');
      expect(await page.inputValue('#window-select')).not.toBe('0');
      expect(await page.textContent('#topology-sentences')).toMatch(/anthropic\/claude-sonnet-4\.5: [^(]*\d+% via openrouter → together/);
      await page.waitForSelector('#topology-chart[data-rendered]');
      await expectNoOverflow(page);
      await shoot(page, 'topology', width);
      await page.close();
    });

    it(`Drift at ${width}px: change points and the policy change marked, too few calls said so`, async () => {
      const page = await open(width, '/drift');
      expect(await page.textContent('#change-list')).toMatch(/openrouter anthropic\/claude-sonnet-4\.5: .*together/);
      expect(await page.textContent('#change-list')).toMatch(/Routing policy change: support-langchain → openrouter/);
      expect(await page.locator('.drift-series[data-gateway="openrouter"]').getAttribute('data-verdict')).toBe('changed');
      expect(await page.locator('#changed-traces tbody tr').count()).toBeGreaterThan(0);
      await expectNoOverflow(page);
      await shoot(page, 'drift', width);
      // 1-minute windows over this day: about 2 calls per window per series, judged by the same rule.
      await page.goto(`${viewer.url}/drift?bucket=60000`);
      await page.waitForSelector('body[data-ready]');
      expect(await page.locator('.drift-series[data-gateway="openrouter"]').getAttribute('data-verdict')).toBe('changed');
      await page.close();
    });

    it(`Eval at ${width}px: the regression matches an upstream change and a routing policy change`, async () => {
      const page = await open(width, '/eval');
      const regressions = await page.textContent('#regressions');
      expect(regressions).toContain('matches an upstream change');
      expect(regressions).toContain('matches a routing policy change');
      expect(await page.locator('#eval-crosstab tr[data-upstream="together"]').count()).toBe(1);
      await expectNoOverflow(page);
      await shoot(page, 'eval', width);
      await page.close();
    });

    it(`Cost & policy at ${width}px: cost by upstream, policy timeline, who refused, gateway disagreement`, async () => {
      const page = await open(width, '/cost');
      expect(await page.locator('#cost-panel tr[data-upstream="together"]').count()).toBeGreaterThan(0);
      expect(await page.textContent('#policy-panel')).toMatch(/support-langchain → openrouter changed/);
      expect(await page.locator('#errors-panel tr[data-source="gateway"]').count()).toBe(1);
      expect(await page.locator('#errors-panel tr[data-source="upstream"]').count()).toBe(1);
      expect(await page.textContent('#gateway-panel')).toContain('Together');
      await page.waitForSelector('#cost-chart[data-rendered]');
      await expectNoOverflow(page);
      await shoot(page, 'cost', width);
      await page.close();
    });
  }
});
