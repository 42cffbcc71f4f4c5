// Every README program, run as its own Node process against gateway-sim, exporting over OTLP to a
// loopback receiver: the route attributes the README promises must be on the spans that arrive.
import { fileURLToPath } from 'node:url';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleExpectations, simulatorConfig, spansFor } from './expectations.ts';
import { runExample } from './harness/run-example.ts';

let sim: GatewaySim;

beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, config: simulatorConfig });
});

afterAll(async () => {
  await sim?.close();
});

describe('README examples run as written (SDK 3, NodeSDK, OTLP/HTTP)', () => {
  for (const expectation of exampleExpectations) {
    it(expectation.file, async () => {
      const run = await runExample(fileURLToPath(new URL(expectation.file, import.meta.url)), sim);
      expect(run.stderr).not.toMatch(/Error|OTLP requests not readable/);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stdout).toContain(expectation.stdout);
      if (!expectation.span.name) return;
      const spans = spansFor(expectation, run.spans);
      expect(spans, `spans received: ${run.spans.map((span) => `${span.scope} | ${span.name}`).join(', ')}`).toHaveLength(1);
      const [span] = spans;
      expect(span!.attributes).toMatchObject(expectation.attributes);
      for (const name of expectation.absent ?? []) expect(span!.attributes).not.toHaveProperty([name]);
      // Secrets never reach the exporter: the example's API keys are in its environment only.
      expect(JSON.stringify(run.spans)).not.toMatch(/sk-or-example|example-secret/);
    });
  }
});
