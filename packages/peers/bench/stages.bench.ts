// npm run bench:stages -w packages/peers [-- --calls 3000 --frameworks openai,ai-sdk,langchain]
//
// Where servedby's capture spends its time, in the process that makes the calls: the worker of
// the peer benchmark runs the `servedby` arm with a timing subscriber on each undici diagnostics
// channel before servedby's and one after, so each channel's figure is servedby's own handler
// (span start, header copy, look-ahead, derivation, record step, span end and export), per call.
// Work done in a plugin's framework callbacks (the AI SDK, LangChain) is not on these channels.
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startGatewaySim } from '@servedby/gateway-sim';
import { MODES, type Framework, simTargets } from './arms';
import type { WorkerReply } from './worker';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '3000' },
    frameworks: { type: 'string', default: 'openai,ai-sdk,langchain' },
  },
});
const calls = Math.max(1, Number.parseInt(values.calls!, 10));
const frameworks = values.frameworks!.split(',') as Framework[];
const sim = await startGatewaySim({ port: 0, seed: 11 });
const targets = simTargets(sim);
console.log(`servedby capture per call, by undici channel (µs), ${calls} calls per mode after ${Math.min(300, calls)} warm-up · ${process.version} · load ${loadavg().map((load) => load.toFixed(1)).join(' ')}`);
console.log('');
console.log('| framework | mode | create | bodyChunkSent | headers | bodyChunkReceived | trailers | error | total | CPU µs / call |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
try {
  for (const framework of frameworks) {
    const child = fork(fileURLToPath(new URL('./worker.ts', import.meta.url)), [], {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      env: { ...process.env, BENCH_FRAMEWORK: framework, BENCH_ARM: 'servedby', BENCH_TARGETS: JSON.stringify(targets), BENCH_STAGES: '1' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const next = () => new Promise<WorkerReply>((resolve) => child.once('message', resolve));
    const ready = await next();
    if (ready.type !== 'ready') throw new Error(`${framework}: ${JSON.stringify(ready)}`);
    for (const mode of MODES[framework]) {
      child.send({ type: 'batch', mode, calls: Math.min(300, calls) });
      await next();
      child.send({ type: 'batch', mode, calls });
      const reply = await next();
      if (reply.type !== 'batch') throw new Error(`${framework}/${mode}: ${JSON.stringify(reply)}`);
      const stages = reply.stages ?? {};
      const micros = (name: string) => ((stages[name] ?? 0) * 1000) / calls;
      const names = ['create', 'bodyChunkSent', 'headers', 'bodyChunkReceived', 'trailers', 'error'];
      const total = names.reduce((sum, name) => sum + micros(name), 0);
      console.log(`| ${framework} | ${mode} | ${names.map((name) => micros(name).toFixed(1)).join(' | ')} | ${total.toFixed(1)} | ${(reply.cpuMicros / calls).toFixed(0)} |`);
    }
    child.send({ type: 'exit' });
    await new Promise((resolve) => child.once('exit', resolve));
  }
} finally {
  await sim.close();
}
