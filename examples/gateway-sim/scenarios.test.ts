// The gateway-sim README's config file (examples/gateway-sim/scenarios.json) is a config the
// simulator accepts and follows: inside the timeline window OpenRouter serves from the 60/40 mix.
import { readFileSync } from 'node:fs';
import { startGatewaySim, type SimConfig } from '@servedby/gateway-sim';
import OpenAI from 'openai';
import { expect, it } from 'vitest';

it('the README scenario file drives the OpenRouter mix inside its timeline window', async () => {
  const config = JSON.parse(readFileSync(new URL('./scenarios.json', import.meta.url), 'utf8')) as SimConfig;
  const sim = await startGatewaySim({ port: 0, config });
  try {
    const client = new OpenAI({ apiKey: 'x', baseURL: sim.baseUrls.openrouter, maxRetries: 0 });
    for (let call = 0; call < 20; call += 1) {
      await client.chat.completions.create({ model: 'anthropic/claude-haiku-4.5', messages: [{ role: 'user', content: 'Hi' }] });
    }
    const upstreams = sim.requests().map((request) => request.upstream);
    // The simulator records OpenRouter's display names, as OpenRouter's body carries them.
    expect(new Set(upstreams)).toEqual(new Set(['Together', 'Amazon Bedrock']));
  } finally {
    await sim.close();
  }
});
