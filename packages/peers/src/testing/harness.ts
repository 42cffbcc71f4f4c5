import type { TracerProvider } from '@opentelemetry/api';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { chatRoutes, type ChatRoute } from './routes';
import { createPeerTelemetry, type PeerTelemetry } from './telemetry';

/** What a zero-code test file works with; `sim` and `routes` are ready inside tests. */
export interface PeerTest<Peer> {
  telemetry: PeerTelemetry;
  peer: Peer;
  sim(): GatewaySim;
  routes(): Record<ChatRoute['name'], ChatRoute>;
}

/**
 * The set-up every zero-code test file shares: telemetry with `RouteSpanProcessor` first, the
 * peer installed on it (its `install` runs now, at import time, as in an application), one
 * gateway-sim for the file, finished spans forgotten before each test, everything torn down after.
 */
export function setUpPeerTest<Peer extends { uninstall(): void }>(install: (tracerProvider: TracerProvider) => Peer): PeerTest<Peer> {
  const telemetry = createPeerTelemetry({ route: true });
  const peer = install(telemetry.tracerProvider);
  let sim: GatewaySim | undefined;
  let routes: Record<ChatRoute['name'], ChatRoute> | undefined;
  beforeAll(async () => {
    sim = await startGatewaySim({ port: 0, seed: 7 });
    routes = Object.fromEntries(chatRoutes(sim).map((route) => [route.name, route])) as Record<ChatRoute['name'], ChatRoute>;
  });
  afterAll(async () => {
    peer.uninstall();
    await sim?.close();
    await telemetry.shutdown();
  });
  beforeEach(() => telemetry.reset());
  return {
    telemetry,
    peer,
    sim: () => sim!,
    routes: () => routes!,
  };
}
