// The report itself is @servedby/viewer's (`formatReport`, the same views as the pages). This file
// keeps the in-process change windows the scenario's end-to-end test checks its day with.
import { totalVariationDistance, type ChangePoint, type Drift } from '../analysis/drift';

/** A window of time in which a series' upstream mix differed from its steady state. */
export interface ChangeWindow {
  gateway: string;
  requestModel: string;
  fromMs: number;
  /** Undefined when the mix had not gone back by the end of the data. */
  toMs?: number;
  description: string;
}

/**
 * Turns each series' change points into windows: a change opens a window, and the first later
 * change back to (within the rule's threshold of) the mix before it closes it; changes in between
 * (the mix wobbling inside the window) are part of the window. With the demo's timeline this is
 * the failover window.
 */
export function changeWindows(drift: Drift): ChangeWindow[] {
  const windows: ChangeWindow[] = [];
  for (const series of drift.series) {
    let open: ChangePoint | undefined;
    let closedAtMs = -Infinity;
    for (const point of series.changePoints) {
      if (!open) {
        const added = Object.keys(point.after).filter((upstream) => (point.before[upstream] ?? 0) < drift.rule.presentShare);
        const removed = Object.keys(point.before).filter((upstream) => (point.after[upstream] ?? 0) < drift.rule.presentShare);
        if (added.length === 0 && removed.length > 0) {
          // Only a return: the onset was too gradual or too sparse to be a change point, so the
          // window starts where the upstreams that now left first appeared.
          const start = series.buckets.find(
            (bucket) => bucket.startMs > closedAtMs && bucket.startMs < point.atMs && removed.some((upstream) => bucket.upstreams[upstream]),
          );
          if (start) {
            windows.push({
              gateway: series.gateway,
              requestModel: series.requestModel,
              fromMs: start.startMs,
              toMs: point.atMs,
              description: `${removed.join(', ')} serving part of the traffic until ${point.description}`,
            });
            closedAtMs = point.atMs;
            continue;
          }
        }
        open = point;
        continue;
      }
      if (totalVariationDistance(point.after, open.before) < drift.rule.threshold) {
        windows.push({ gateway: series.gateway, requestModel: series.requestModel, fromMs: open.atMs, toMs: point.atMs, description: open.description });
        closedAtMs = point.atMs;
        open = undefined;
      }
    }
    if (open) windows.push({ gateway: series.gateway, requestModel: series.requestModel, fromMs: open.atMs, description: open.description });
  }
  return windows;
}
