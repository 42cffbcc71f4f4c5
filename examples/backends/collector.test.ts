// The Collector configuration of docs/backends.md is valid YAML whose pipelines only name components
// it defines, and its transform statement is the one the docs describe. (No Collector binary runs
// here: the OTTL itself is checked against the transform processor's documented syntax, not executed.)
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { expect, it } from 'vitest';

interface CollectorConfig {
  receivers: Record<string, unknown>;
  processors: Record<string, { trace_statements?: string[] } | undefined>;
  exporters: Record<string, unknown>;
  service: { pipelines: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }> };
}

const config = parse(readFileSync(new URL('./collector.yaml', import.meta.url), 'utf8')) as CollectorConfig;

it('every pipeline names only defined receivers, processors and exporters', () => {
  const pipelines = Object.entries(config.service.pipelines);
  expect(pipelines.length).toBeGreaterThan(0);
  for (const [, pipeline] of pipelines) {
    for (const name of pipeline.receivers) expect(config.receivers).toHaveProperty([name]);
    for (const name of pipeline.processors ?? []) expect(config.processors).toHaveProperty([name]);
    for (const name of pipeline.exporters) expect(config.exporters).toHaveProperty([name]);
  }
});

it('the SigNoz pipeline copies the upstream into gen_ai.provider.name only where it is known', () => {
  expect(config.service.pipelines['traces/signoz']!.processors).toContain('transform/upstream-as-provider');
  expect(config.processors['transform/upstream-as-provider']!.trace_statements).toEqual([
    'set(span.attributes["gen_ai.provider.name"], span.attributes["gen_ai.route.upstream"]) where span.attributes["gen_ai.route.upstream"] != nil',
  ]);
});
