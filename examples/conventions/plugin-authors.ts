import { context, SpanKind, trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  recordModelCall, resolveInstrumentation, modelSpanName, modelCallAttributes,
  createUpstreamsCollector, contextWithUpstreamsCollector, type ServedbyOptions,
} from '@servedby/conventions';

const sdk = new NodeSDK();
sdk.start();

const baseUrl = process.env.OPENROUTER_BASE_URL ?? 'https://openrouter.ai/api/v1';

// A minimal instrumented model call, finished by the one record step every servedby plugin uses.
async function chat(requestModel: string, prompt: string, options?: ServedbyOptions): Promise<string> {
  const instrumentation = resolveInstrumentation(options, { name: 'my-instrumentation', version: '1.0.0' });
  const span = instrumentation.tracer.startSpan(modelSpanName('chat', requestModel), {
    kind: SpanKind.CLIENT,
    attributes: modelCallAttributes({ operation: 'chat', requestModel }),
  });
  const started = performance.now();
  const url = `${baseUrl}/chat/completions`;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${process.env.OPENROUTER_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: requestModel, messages: [{ role: 'user', content: prompt }] }),
    });
    const body = await response.json();
    recordModelCall(span, {
      exchange: { url, requestModel, responseHeaders: response.headers, responseBody: body, status: response.status },
      usage: { inputTokens: body.usage?.prompt_tokens, outputTokens: body.usage?.completion_tokens },
      durationSeconds: (performance.now() - started) / 1000,
      parentContext: context.active(), // enclosing agent spans get gen_ai.route.upstreams
    }, instrumentation);
    return body.choices[0].message.content;
  } catch (error) {
    recordModelCall(span, { exchange: { url, requestModel }, error, durationSeconds: (performance.now() - started) / 1000 }, instrumentation);
    throw error;
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
