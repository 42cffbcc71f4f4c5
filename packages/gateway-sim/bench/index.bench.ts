/**
 * Rough throughput of the simulator on this machine: start-up time, then requests per second
 * for a JSON answer, an SSE stream and Bedrock Converse over HTTP/2 (real SDK client).
 * Run: npm run bench -w packages/gateway-sim
 */
import { performance } from 'node:perf_hooks';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { startGatewaySim } from '../src/index';

async function measure(label: string, total: number, concurrency: number, call: () => Promise<unknown>): Promise<void> {
  let started = 0;
  const begin = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < total) {
        started += 1;
        await call();
      }
    }),
  );
  const seconds = (performance.now() - begin) / 1000;
  process.stdout.write(`${label.padEnd(44)} ${String(Math.round(total / seconds)).padStart(6)} req/s  (${total} requests, ${concurrency} concurrent)\n`);
}

const startBegin = performance.now();
const sim = await startGatewaySim({ port: 0 });
process.stdout.write(`start-up                                     ${(performance.now() - startBegin).toFixed(1)} ms\n`);

const chatBody = (stream: boolean) =>
  JSON.stringify({ model: 'openai/gpt-4o', stream, messages: [{ role: 'user', content: 'hi' }] });
const post = async (url: string, body: string) => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await response.text();
};

await measure('OpenRouter chat, JSON (fetch)', 2000, 20, () => post(`${sim.baseUrls.openrouter}/chat/completions`, chatBody(false)));
await measure('OpenRouter chat, SSE (fetch)', 2000, 20, () => post(`${sim.baseUrls.openrouter}/chat/completions`, chatBody(true)));
await measure('LiteLLM chat, JSON (fetch)', 2000, 20, () => post(`${sim.baseUrls.litellm}/chat/completions`, chatBody(false)));
const client = new BedrockRuntimeClient({ endpoint: sim.baseUrls.bedrock, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
await measure('Bedrock Converse, HTTP/2 (AWS SDK)', 1000, 20, () =>
  client.send(new ConverseCommand({ modelId: 'us.anthropic.claude-haiku-4-5-20251001-v1:0', messages: [{ role: 'user', content: [{ text: 'hi' }] }] })),
);
client.destroy();
await sim.close();
