import { connect } from 'node:http2';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEventStreamMessages, encodeEventStreamMessage } from './event-stream';
import { startGatewaySim } from './server';
import type { GatewaySim } from './types';

let sim: GatewaySim;
beforeAll(async () => {
  sim = await startGatewaySim({ port: 0, seed: 3 });
});
afterAll(async () => {
  await sim.close();
});

const chat = (target: 'openrouter' | 'litellm' | 'vercel', headers: Record<string, string> = {}, model = 'openai/gpt-4o') =>
  fetch(`${sim.baseUrls[target]}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });

describe('gateway-sim server', () => {
  it('lists its base URLs and answers unknown paths with 404', async () => {
    expect(sim.baseUrls.bedrock).toBe(`${sim.url}/bedrock`);
    expect(await (await fetch(sim.url)).json()).toEqual({ baseUrls: sim.baseUrls });
    expect((await fetch(`${sim.url}/nowhere`)).status).toBe(404);
  });

  it('keeps 100 concurrent calls apart: each reports the upstream its own request asked for', async () => {
    const client = new OpenAI({ apiKey: 'x', baseURL: sim.baseUrls.openrouter, maxRetries: 0 });
    const results = await Promise.all(
      Array.from({ length: 100 }, async (_, index) => {
        const data = await client.chat.completions.create(
          { model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] },
          { headers: { 'x-sim-upstream': `upstream-${index}` } },
        );
        return (data as unknown as { provider: string }).provider;
      }),
    );
    expect(results).toEqual(Array.from({ length: 100 }, (_, index) => `upstream-${index}`));
  });

  it('follows the virtual clock: setClock and the x-sim-time header select timeline segments', async () => {
    sim.configure({ targets: { openrouter: { timeline: [{ start: 1_000_000, end: 2_000_000, upstream: 'Together' }], mix: [{ upstream: 'Groq', weight: 1 }] } } });
    try {
      sim.setClock(1_500_000);
      expect(((await (await chat('openrouter')).json()) as { provider: string }).provider).toBe('Together');
      sim.advanceClock(600_000);
      expect(sim.now()).toBe(2_100_000);
      expect(((await (await chat('openrouter')).json()) as { provider: string }).provider).toBe('Groq');
      const atTime = await chat('openrouter', { 'x-sim-time': new Date(1_200_000).toISOString() });
      expect(((await atTime.json()) as { provider: string }).provider).toBe('Together');
    } finally {
      sim.configure({});
    }
  });

  it('is deterministic for a seed: the same requests give the same ids and mix choices', async () => {
    const config = { targets: { openrouter: { mix: [{ upstream: 'A', weight: 1 }, { upstream: 'B', weight: 1 }] } } };
    const run = async () => {
      const local = await startGatewaySim({ port: 0, seed: 99, config });
      try {
        const answers: string[] = [];
        for (let index = 0; index < 6; index += 1) {
          const body = (await (
            await fetch(`${local.baseUrls.openrouter}/chat/completions`, {
              method: 'POST',
              body: JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
            })
          ).json()) as { provider: string; id: string };
          answers.push(`${body.provider} ${body.id.slice(15)}`);
        }
        return answers;
      } finally {
        await local.close();
      }
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(new Set(first.map((answer) => answer.split(' ')[0]))).toEqual(new Set(['A', 'B']));
  });

  it('resets the connection on "reset" and keeps serving afterwards', async () => {
    await expect(chat('litellm', { 'x-sim-scenario': 'reset' }, 'gpt-4o')).rejects.toThrow();
    expect((await chat('litellm', {}, 'gpt-4o')).status).toBe(200);
  });

  it('hangs on "hang" until the client gives up, and close() drops hanging requests', async () => {
    const controller = new AbortController();
    const pending = fetch(`${sim.baseUrls.openai}/chat/completions`, {
      method: 'POST',
      headers: { 'x-sim-scenario': 'hang' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
      signal: controller.signal,
    });
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await expect(pending).rejects.toThrow();
    const local = await startGatewaySim({ port: 0 });
    const hanging = fetch(`${local.baseUrls.openai}/chat/completions`, {
      method: 'POST',
      headers: { 'x-sim-scenario': 'hang' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    });
    while (local.requests().length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await local.close();
    await expect(hanging).rejects.toThrow();
  });

  it('streams the first chunk before the delayed rest arrives (latency scenario, no buffering)', async () => {
    const response = await fetch(`${sim.baseUrls.openai}/chat/completions`, {
      method: 'POST',
      headers: { 'x-sim-scenario': JSON.stringify({ latency: { chunkDelayMs: 60_000 } }) },
      body: JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('"role":"assistant"');
    await reader.cancel();
  });

  it('answers a bad x-sim-scenario with 400 and never crashes on odd input', async () => {
    expect((await chat('vercel', { 'x-sim-scenario': 'no-such-preset' })).status).toBe(400);
    const odd = await fetch(`${sim.baseUrls.vercel}/chat/completions`, { method: 'POST', body: '[1,2' });
    expect(odd.status).toBe(400);
    expect((await chat('vercel')).status).toBe(200);
  });

  it('speaks HTTP/2 prior knowledge and HTTP/1.1 on the same port', async () => {
    const session = connect(sim.url);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const stream = session.request({ ':method': 'GET', ':path': '/' });
        let text = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => (text += chunk));
        stream.on('end', () => resolve(text));
        stream.on('error', reject);
        stream.end();
      });
      expect(JSON.parse(body)).toEqual({ baseUrls: sim.baseUrls });
    } finally {
      session.close();
    }
    expect((await fetch(sim.url)).status).toBe(200);
  });

  it('round-trips event-stream messages with valid prelude and message CRCs', () => {
    const encoded = Buffer.concat([
      encodeEventStreamMessage({ headers: { ':event-type': 'a', ':message-type': 'event' }, payload: Buffer.from('{"x":1}') }),
      encodeEventStreamMessage({ headers: { ':event-type': 'b' }, payload: Buffer.alloc(0) }),
    ]);
    const decoded = decodeEventStreamMessages(encoded);
    expect(decoded.map((message) => message.headers[':event-type'])).toEqual(['a', 'b']);
    expect(decoded[0]!.payload.toString()).toBe('{"x":1}');
    encoded[20] = encoded[20]! ^ 0xff;
    expect(() => decodeEventStreamMessages(encoded)).toThrow(/CRC/);
  });

  it('starts from the CLI and prints one line per base URL', async () => {
    const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const lines = await new Promise<string[]>((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const complete = output.split('\n').filter(Boolean);
          if (complete.length >= 8) resolve(complete);
        });
        child.on('exit', (code) => reject(new Error(`cli exited with ${code}`)));
      });
      expect(lines.map((line) => line.split(' ')[0])).toEqual(['openrouter', 'litellm', 'azure', 'bedrock', 'vercel', 'openai', 'anthropic', 'kong']);
      const [, openrouterUrl] = lines[0]!.split(' ');
      expect(openrouterUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/openrouter\/api\/v1$/);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
