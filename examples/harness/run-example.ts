// Runs one example as its own Node process, the way a user runs their app (`node app.ts`), with the
// environment pointing every real service URL at gateway-sim and the OTLP exporter at a receiver.
import { spawn } from 'node:child_process';
import type { GatewaySim } from '@servedby/gateway-sim';
import { startOtlpReceiver, type ReceivedSpan } from './otlp-receiver.ts';

/** What one run produced. */
export interface ExampleRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  spans: ReceivedSpan[];
}

/** Options of {@link runExample}. */
export interface RunExampleOptions {
  /** Working directory (the tarball test runs examples inside a fresh project). */
  cwd?: string;
  /** The Node binary (default: this process's). */
  node?: string;
  /** Extra environment. */
  env?: Record<string, string>;
  /** Kill the example after this long (default 60 s). */
  timeoutMs?: number;
}

/** The environment that sends an example's real service URLs to the simulator. */
export function simulatorEnvironment(sim: GatewaySim): Record<string, string> {
  return {
    OPENROUTER_BASE_URL: sim.baseUrls.openrouter,
    OPENROUTER_API_KEY: 'sk-or-example',
    OPENAI_BASE_URL: sim.baseUrls.openai,
    OPENAI_API_KEY: 'sk-example',
    ANTHROPIC_BASE_URL: sim.baseUrls.anthropic,
    ANTHROPIC_API_KEY: 'sk-ant-example',
    // The AWS SDK's own per-service endpoint variable: the example code keeps the real endpoint.
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: sim.baseUrls.bedrock,
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'example-secret',
    AWS_REGION: 'us-east-1',
  };
}

/** Runs `file` with `node`, returns its output and the spans it exported. */
export async function runExample(file: string, sim: GatewaySim, options: RunExampleOptions = {}): Promise<ExampleRun> {
  const receiver = await startOtlpReceiver();
  try {
    const environment: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...simulatorEnvironment(sim),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_SERVICE_NAME: 'servedby-example',
      NODE_NO_WARNINGS: '1',
      ...options.env,
    };
    const child = spawn(options.node ?? process.execPath, [file], {
      cwd: options.cwd,
      env: environment,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    if (receiver.rejected().length > 0) stderr += `\nOTLP requests not readable as JSON: ${receiver.rejected().join('; ')}`;
    return { exitCode, stdout, stderr, spans: receiver.spans() };
  } finally {
    await receiver.close();
  }
}
