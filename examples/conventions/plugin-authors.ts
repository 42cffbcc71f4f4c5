import { context, SpanKind, trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  resolveInstrumentation, modelSpanName, modelCallAttributes, setRouteOnSpan, deriveRoute,
  createUpstreamsCollector, contextWithUpstreamsCollector, reportUpstream, type ServedbyOptions,
} from '@servedby/conventions';

const sdk = new NodeSDK();
sdk.start();

const baseUrl = process.env.OPENROUTER_BASE_URL ?? 'https://openrouter.ai/api/v1';

// A minimal instrumented model call, the way every servedby plugin is built.
async function chat(requestModel: string, prompt: string, options?: ServedbyOptions): Promise<string> {
  const { tracer, metrics, semconv } = resolveInstrumentation(options, { name: 'my-instrumentation', version: '1.0.0' });
  const span = tracer.startSpan(modelSpanName('chat', requestModel), {
    kind: SpanKind.CLIENT,
    attributes: modelCallAttributes({ operation: 'chat', requestModel }),
  });
  const started = performance.now();
  try {
    const response = await fetch(`${baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${process.env.OPENROUTER_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: requestModel, messages: [{ role: 'user', content: prompt }] }),
    });
    const body = await response.json();
    const attribution = deriveRoute({ url: `${baseUrl}/chat/completions`, requestModel, responseHeaders: response.headers, responseBody: body, status: response.status });
    setRouteOnSpan(span, attribution, { semconv });
    reportUpstream(context.active(), attribution.upstream); // every enclosing agent's collector
    const usage = { inputTokens: body.usage?.prompt_tokens, outputTokens: body.usage?.completion_tokens };
    span.setAttributes(modelCallAttributes({ operation: 'chat', requestModel, responseModel: body.model, usage }));
    metrics.record({ operation: 'chat', attribution, durationSeconds: (performance.now() - started) / 1000, usage });
    return body.choices[0].message.content;
  } finally {
    span.end();
  }
}

// An agent span collects the distinct upstreams of the calls below it.
const collector = createUpstreamsCollector();
const agent = trace.getTracer('my-instrumentation').startSpan('invoke_agent support');
await context.with(contextWithUpstreamsCollector(trace.setSpan(context.active(), agent), collector), () => chat('anthropic/claude-haiku-4.5', 'Hello'));
agent.setAttribute('gen_ai.route.upstreams', collector.values());
agent.end();
console.log(collector.values()); // e.g. [ 'together' ]

await sdk.shutdown(); // flushes the spans before the process exits
