import { deriveRoute, enableRouteCapture, runWithRouteCapture, type RouteCapture } from '@servedby/conventions';
import OpenAI from 'openai';

// A plugin that owns the call reads the capture itself (no span of the capture's own).
enableRouteCapture();
const client = new OpenAI({
  baseURL: process.env.OPENROUTER_BASE_URL ?? 'https://openrouter.ai/api/v1',
  apiKey: process.env.OPENROUTER_API_KEY,
});
const captures: RouteCapture[] = [];
const completion = await runWithRouteCapture(
  (capture) => captures.push(capture),
  () => client.chat.completions.create({ model: 'anthropic/claude-haiku-4.5', messages: [{ role: 'user', content: 'Hello' }] }),
);
await captures[0]?.done; // look-ahead final (never rejects)
const attribution = deriveRoute(captures[0]!.observation({ providerHint: 'openai' }));
console.log(completion.choices[0]?.message.content);
console.log(attribution.gateway, attribution.upstream); // openrouter, e.g. together
