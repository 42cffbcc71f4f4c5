// Run by register.test.ts as `node --import tsx --import ../register.ts register-child.ts`: the app
// sets up its tracer provider only after the register entry ran, as a real app's SDK does.
import { trace } from '@opentelemetry/api';
import { startGatewaySim } from '@servedby/gateway-sim';
import { createTestTracing } from '@servedby/test-otel';
import OpenAI from 'openai';

const tracing = createTestTracing();
trace.setGlobalTracerProvider(tracing.tracerProvider);
const sim = await startGatewaySim({ port: 0, seed: 3 });
try {
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: sim.baseUrls.openrouter, maxRetries: 0, defaultHeaders: { 'x-sim-upstream': 'together' } });
  await client.chat.completions.create({ model: 'anthropic/claude-haiku-4.5', messages: [{ role: 'user', content: 'hi' }] });
  for (let round = 0; round < 200 && tracing.spans().length === 0; round += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  process.stdout.write(
    JSON.stringify(
      tracing.spans().map((span) => ({
        name: span.name,
        gateway: span.attributes['gen_ai.route.gateway'],
        upstream: span.attributes['gen_ai.route.upstream'],
      })),
    ),
  );
} finally {
  await sim.close();
}
