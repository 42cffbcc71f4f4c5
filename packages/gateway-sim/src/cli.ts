#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startGatewaySim } from './server';
import type { SimConfig } from './types';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4100' },
    host: { type: 'string', default: '127.0.0.1' },
    config: { type: 'string' },
    seed: { type: 'string' },
    'otlp-endpoint': { type: 'string' },
  },
});

async function main(): Promise<void> {
  const config: SimConfig = values.config ? (JSON.parse(readFileSync(values.config, 'utf8')) as SimConfig) : {};
  const sim = await startGatewaySim({
    port: Number(values.port),
    host: values.host,
    config,
    ...(values.seed !== undefined ? { seed: Number(values.seed) } : {}),
    ...(values['otlp-endpoint'] ? { otlpEndpoint: values['otlp-endpoint'] } : {}),
  });
  for (const [target, baseUrl] of Object.entries(sim.baseUrls)) process.stdout.write(`${target} ${baseUrl}\n`);
  const stop = (): void => {
    void sim.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`gateway-sim: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
