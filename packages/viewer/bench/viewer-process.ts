// Bench helpers shared by the viewer's and the demo's benchmarks: the viewer CLI in its own
// process, and OTLP/HTTP protobuf posts to it as an app's exporter makes them.
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';

/** A `servedby-viewer` process started by {@link startViewerProcess}. */
export interface ViewerProcess {
  readonly child: ChildProcess;
  /** The URL it printed once listening. */
  readonly url: string;
  /** Sends SIGTERM and resolves when it exited. */
  stop(): Promise<void>;
}

/** Starts the viewer CLI at `cli` with `args` (its stdout piped); resolves once it prints its URL. */
export async function startViewerProcess(cli: string, args: readonly string[]): Promise<ViewerProcess> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /servedby viewer on (http:\/\/[^\s]+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.on('exit', (code) => reject(new Error(`viewer exited with ${code}: ${output}`)));
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { child, url, stop };
}

/** Posts OTLP/protobuf bodies to `${baseUrl}/v1/traces` over node:http keep-alive, two sockets (two app processes). */
export interface OtlpPoster {
  /** Resolves with the response status. */
  post(body: Uint8Array): Promise<number>;
  /** Closes the keep-alive sockets. */
  close(): void;
}

/** Creates an {@link OtlpPoster} for the viewer at `baseUrl`. */
export function createOtlpPoster(baseUrl: string): OtlpPoster {
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  const target = new URL(`${baseUrl}/v1/traces`);
  const post = (body: Uint8Array) =>
    new Promise<number>((resolve, reject) => {
      const outgoing = request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.byteLength } },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  return { post, close: () => agent.destroy() };
}
