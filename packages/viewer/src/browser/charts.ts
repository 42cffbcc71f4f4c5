// The ECharts global (served from node_modules by the viewer, no CDN), typed as far as the pages use it.

/** An ECharts instance. */
export interface Chart {
  setOption(option: unknown, notMerge?: boolean): void;
  getOption(): { series?: unknown[] } | undefined;
  on(event: string, handler: () => void): void;
  resize(): void;
}

declare const echarts: { init(container: HTMLElement, theme?: string | null, options?: { renderer: 'canvas' | 'svg' }): Chart };

/** Starts a chart that marks its container `data-rendered` once its animation settled. */
export function chart(container: HTMLElement): Chart {
  const instance = echarts.init(container, null, { renderer: 'canvas' });
  instance.on('finished', () => {
    if (instance.getOption()?.series?.length) container.dataset.rendered = 'true';
  });
  window.addEventListener('resize', () => instance.resize());
  return instance;
}

/** True on a phone-sized viewport: charts switch to compact layouts. */
export function narrow(): boolean {
  return window.innerWidth < 700;
}
