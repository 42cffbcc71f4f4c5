import { startGatewaySim } from '@servedby/gateway-sim';
import OpenAI from 'openai';

const sim = await startGatewaySim({ port: 0, seed: 7 }); // { url, port, baseUrls, close, setClock, ... }
const client = new OpenAI({ apiKey: 'x', baseURL: sim.baseUrls.openrouter, maxRetries: 0 });
const completion = await client.chat.completions.create({
  model: 'anthropic/claude-haiku-4.5',
  messages: [{ role: 'user', content: 'Hello' }],
});
console.log(completion.choices[0]?.message.content); // "Hello from the gateway simulator."
await sim.close(); // also drops hanging requests
