import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_AGENTS } from '../scenario/all-agents';
import { runDemoScenario } from '../scenario/run-scenario';
import { startViewer, type Viewer } from './server';

/** Debian's Chromium; the tests never download a browser. Override with CHROMIUM_PATH. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
const SCREENSHOTS = join(import.meta.dirname, '..', '..', 'test-output', 'screenshots');

describe.skipIf(!available)('viewer pages in Chromium', () => {
  let viewer: Viewer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    viewer = await startViewer({ port: 0 });
    // The dataset is a real (shortened) demo day: every plugin, through gateway-sim.
    await runDemoScenario({
      agents: ALL_AGENTS.map((agent) => agent.create),
      ticks: 16,
      questionsPerTick: 3,
      evalRuns: 4,
      onSpans: (spans) => viewer.store.add(spans),
      environment: { SERVEDBY_DEMO_SIMULATE: '1' },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.on('pageerror', (error) => {
      throw error;
    });
  }, 150_000);
  afterAll(async () => {
    await browser?.close();
    await viewer?.close();
  });

  async function open(path: string): Promise<void> {
    await page.goto(`${viewer.url}${path}`);
    await page.waitForSelector('body[data-ready]');
    expect(await page.getAttribute('body', 'data-ready')).toBe('true');
  }

  it('Traces: filter → trace → span, route attributes highlighted', async () => {
    await open('/traces');
    await page.fill('#filter-input', 'gen_ai.route.upstream = together');
    await page.click('#add-filter');
    await page.waitForSelector('#filter-chips .chip');
    await page.waitForFunction(() => document.querySelector('#trace-count')?.textContent?.includes('traces'));
    const upstreamCells = await page.$$eval('#trace-list tbody tr', (rows) => rows.map((row) => row.children[5]?.textContent ?? ''));
    expect(upstreamCells.length).toBeGreaterThan(0);
    expect(upstreamCells.every((text) => text.includes('together'))).toBe(true);
    await page.click('#trace-list tbody tr:first-child');
    await page.waitForSelector('#span-tree tr');
    await page.click('#span-tree tr:has-text("chat ")');
    await page.waitForSelector('#attribute-table');
    const upstreamRow = page.locator('#attribute-table tr[data-key="gen_ai.route.upstream"]');
    expect(await upstreamRow.getAttribute('class')).toBe('route');
    expect(await upstreamRow.textContent()).toContain('together');
    expect(page.url()).toContain('trace=');
    await page.screenshot({ path: join(SCREENSHOTS, 'traces.png'), fullPage: true });
  });

  it('Topology: the change window shows OpenRouter serving from Together', async () => {
    await open('/topology?window=change');
    expect(await page.inputValue('#window-select')).not.toBe('0');
    const sentence = await page.textContent('#topology-sentences');
    expect(sentence).toMatch(/anthropic\/claude-sonnet-4\.5: [^(]*\d+% via openrouter → together/);
    expect(await page.locator('#topology-tables tr[data-upstream="together"]').count()).toBeGreaterThan(0);
    expect(await page.locator('#topology-chart canvas').count()).toBe(1);
    await page.waitForSelector('#topology-chart[data-rendered]');
    await page.screenshot({ path: join(SCREENSHOTS, 'topology.png'), fullPage: true });
  });

  it('Drift: the Together window is marked and its traces listed', async () => {
    await open('/drift');
    expect(await page.textContent('#change-list')).toMatch(/openrouter anthropic\/claude-sonnet-4\.5: .*together/);
    const openrouter = page.locator('.drift-series[data-gateway="openrouter"]');
    expect(await openrouter.textContent()).toMatch(/\d+ change points?/);
    expect(await page.locator('.drift-series[data-gateway="aws.bedrock"]').first().textContent()).not.toContain('change point');
    expect(await page.locator('#changed-traces tbody tr').count()).toBeGreaterThan(0);
    await page.click('#changed-traces th:first-child');
    await page.screenshot({ path: join(SCREENSHOTS, 'drift.png'), fullPage: true });
    await page.click('#changed-traces tbody tr:has-text("together") a');
    await page.waitForSelector('#attribute-table');
    expect(await page.textContent('#attribute-table')).toContain('together');
  });

  it('Eval: the regression is flagged as matching the upstream change', async () => {
    await open('/eval');
    expect(await page.textContent('#regressions')).toContain('matches an upstream change');
    expect(await page.locator('#eval-crosstab tr[data-upstream="together"]').count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'eval.png'), fullPage: true });
  });
});
