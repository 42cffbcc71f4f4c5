import { context, diag, propagation, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { startGatewaySim, type GatewaySim } from '@servedby/gateway-sim';
import { ATTRIBUTE, type SpanRecord } from '../otlp/span-record';
import { createDemoTelemetry, type DemoTelemetry } from '../telemetry/pipeline';
import { createVirtualClock } from '../telemetry/virtual-clock';
import type { AgentEnvironment, RouteKind, SupportAgent } from './agent';
import { resolveEndpoints } from './endpoints';
import { startGatewayTraceReceiver, type GatewayTraceReceiver } from './gateway-traces';
import { createSimFetch, runWithSimPlan } from './sim-plan';
import { CUSTOMER_QUESTIONS, gradeAnswer, LABELLED_QUESTIONS, ORDERS, simulatedAnswer } from './support-data';
import {
  anthropicRateLimited,
  createTimeline,
  OPENROUTER_POLICY_AFTER,
  OPENROUTER_POLICY_BEFORE,
  phaseOf,
  policyChangeMs,
  requestFieldsFor,
  runScenario,
  type Phase,
  type RunScenario,
  type Timeline,
} from './timeline';

/** A factory of one agent implementation. */
export type AgentFactory = (environment: AgentEnvironment) => SupportAgent | Promise<SupportAgent>;

/** Progress events, for the terminal. */
export type ScenarioEvent =
  | { type: 'start'; agents: SupportAgent[]; timeline: Timeline; destinations: string[]; realRoutes: RouteKind[] }
  | { type: 'tick'; tick: number; phase: Phase; virtualMs: number; runs: number; errors: number }
  | { type: 'eval'; runId: string; virtualMs: number; meanScore: number; upstreamNote: string };

/** Options of {@link runDemoScenario}. */
export interface ScenarioOptions {
  agents: AgentFactory[];
  /** Ticks of the compressed day (48 by default: half-hour slices). */
  ticks?: number;
  /** Customer questions each agent answers per tick. */
  questionsPerTick?: number;
  evalRuns?: number;
  outFile?: string;
  onSpans?: (spans: SpanRecord[]) => void;
  onEvent?: (event: ScenarioEvent) => void;
  environment?: Record<string, string | undefined>;
  /** Virtual end of the day; now by default, so the data lands in "the last 24 hours" of any backend. */
  endMs?: number;
  /**
   * Receive the gateways' own spans (gateway-sim's OpenRouter Broadcast export) and add them to the
   * exported data, on the demo's virtual clock. Default true; only simulated routes export them.
   */
  gatewayTraces?: boolean;
}

/** What the scenario did. */
export interface ScenarioResult {
  runs: number;
  errors: number;
  evalItems: number;
  timeline: Timeline;
  virtualStartMs: number;
  failoverWindow: { fromMs: number; toMs: number };
  destinations: string[];
  realRoutes: RouteKind[];
  agents: Array<Pick<SupportAgent, 'id' | 'framework' | 'routeLabel'>>;
  /** When the OpenRouter support agent's routing preferences changed, and from what to what. */
  policyChange: { atMs: number; before: Record<string, unknown>; after: Record<string, unknown> };
  /** Runs the scenario made fail on purpose, by who refused them; every other run must succeed. */
  plannedRefusals: { gateway: number; upstream: number };
  /** Spans the gateways exported about their own work (OpenRouter Broadcast), received by the demo. */
  gatewaySpans: number;
}

const DEMO_SCOPE = { name: '@servedby/demo', version: '0.1.0' };

/**
 * Plays the demo's day: every agent answers customer questions tick after tick through its route,
 * the nightly eval scores the OpenRouter agent on the labelled set, and every span is exported.
 */
export async function runDemoScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const timeline = createTimeline({ ticks: options.ticks, evalRuns: options.evalRuns });
  const endMs = options.endMs ?? Date.now();
  // Whole hours, so the phases start on the drift windows' boundaries and read cleanly.
  const virtualStartMs = Math.floor((endMs - timeline.ticks * timeline.tickMs) / 3_600_000) * 3_600_000;
  const clock = createVirtualClock({ startMs: virtualStartMs, tickMs: timeline.tickMs });
  const environment = options.environment ?? process.env;
  let sim: GatewaySim | undefined;
  let receiver: GatewayTraceReceiver | undefined;
  let telemetry: DemoTelemetry | undefined;
  // Each tick's shift from real to virtual time, so the gateway's wall-clock spans land beside the app's.
  const tickShifts: Array<{ realMs: number; offsetMs: number }> = [];
  const offsetAt = (realMs: number): number => {
    for (let index = tickShifts.length - 1; index >= 0; index -= 1) if (tickShifts[index]!.realMs <= realMs) return tickShifts[index]!.offsetMs;
    return tickShifts[0]?.offsetMs ?? 0;
  };
  const agents: SupportAgent[] = [];
  try {
    telemetry = createDemoTelemetry({
      clock,
      ...(options.outFile ? { outFile: options.outFile } : {}),
      ...(options.onSpans ? { onSpans: options.onSpans } : {}),
      environment,
    });
    if (options.gatewayTraces !== false) {
      receiver = await startGatewayTraceReceiver({
        offsetAt,
        ...(options.outFile ? { outFile: options.outFile } : {}),
        ...(options.onSpans ? { onSpans: options.onSpans } : {}),
      });
    }
    sim = await startGatewaySim({ port: 0, seed: 7, ...(receiver ? { otlpEndpoint: receiver.url } : {}) });
    const { endpoints, real } = resolveEndpoints(environment, sim.baseUrls);
    const simulated = (route: RouteKind): boolean => !real.includes(route);
    const changeMs = policyChangeMs(timeline, virtualStartMs);
    const plannedRefusals = { gateway: 0, upstream: 0 };
    /** The plan of one run at virtual time `atMs`: its simulator scenario and the request fields its policy adds. */
    const planRun = (agent: SupportAgent, phase: Phase, atMs: number): PlannedRun => {
      const request = requestFieldsFor(agent.route, atMs, changeMs);
      const plan = runScenario(agent.route, phase, nextRunIndex(agent.id), {
        anthropicRateLimited: anthropicRateLimited(timeline, virtualStartMs, atMs),
        allowsFallback: request !== OPENROUTER_POLICY_BEFORE,
      });
      if (plan.refusedBy && simulated(agent.route)) plannedRefusals[plan.refusedBy] += 1;
      return { ...plan, ...(request ? { request } : {}) };
    };
    // Frameworks that use the global provider (Mastra's bridge, LangChain's tracer) find it here;
    // the AsyncLocalStorage context manager keeps each run's spans in its own trace.
    telemetry.tracerProvider.register();
    const runCounters = new Map<string, number>();
    function nextRunIndex(key: string): number {
      const index = runCounters.get(key) ?? 0;
      runCounters.set(key, index + 1);
      return index;
    }
    const agentEnvironment: AgentEnvironment = {
      endpoints,
      simulated,
      fetch: createSimFetch(sim.url),
      tracerProvider: telemetry.tracerProvider,
      ...(telemetry.meterProvider ? { meterProvider: telemetry.meterProvider } : {}),
      environment,
    };
    for (const factory of options.agents) agents.push(await factory(agentEnvironment));
    const tracer = telemetry.tracerProvider.getTracer(DEMO_SCOPE.name, DEMO_SCOPE.version);
    options.onEvent?.({ type: 'start', agents, timeline, destinations: telemetry.destinations, realRoutes: real });


    let runs = 0;
    let errors = 0;
    let evalItems = 0;
    const questionsPerTick = options.questionsPerTick ?? 2;

    for (let tick = 0; tick < timeline.ticks; tick += 1) {
      clock.beginTick(tick);
      tickShifts.push({ realMs: Date.now(), offsetMs: clock.currentOffsetMs() });
      const phase = phaseOf(timeline, tick);
      const virtualMs = clock.tickStartMs(tick);
      const work: Array<Promise<boolean>> = [];
      for (const agent of agents) {
        // The OpenRouter agent carries the story (its upstream mix is what drifts), so it gets the
        // full traffic; the other routes get one ticket a tick, which keeps the day under a minute.
        const tickets = agent.route === 'openrouter' ? questionsPerTick : 1;
        for (let question = 0; question < tickets; question += 1) {
          const customer = CUSTOMER_QUESTIONS[(tick * questionsPerTick + question + agents.indexOf(agent)) % CUSTOMER_QUESTIONS.length]!;
          const atMs = virtualMs + question * 60_000;
          const plan = planRun(agent, phase, atMs);
          work.push(
            handleTicket(tracer, agent, customer.question, customer.orderId, plan, phase, atMs, simulated(agent.route)).then(
              (answer) => answer !== undefined,
            ),
          );
        }
      }
      const outcomes = await Promise.all(work);
      runs += outcomes.length;
      errors += outcomes.filter((ok) => !ok).length;
      options.onEvent?.({ type: 'tick', tick, phase, virtualMs, runs, errors });

      if (timeline.evalTicks.includes(tick)) {
        const evalAgent = agents.find((agent) => agent.route === 'openrouter') ?? agents[0];
        if (evalAgent) {
          const runId = `nightly-${new Date(virtualMs).toISOString().slice(0, 16)}`;
          const scores = await runEval(tracer, evalAgent, runId, (atMs) => planRun(evalAgent, phase, atMs), virtualMs, simulated(evalAgent.route));
          evalItems += scores.length;
          const meanScore = scores.reduce((sum, entry) => sum + entry.score, 0) / Math.max(1, scores.length);
          const upstreams = new Set(scores.map((entry) => entry.upstream));
          options.onEvent?.({ type: 'eval', runId, virtualMs, meanScore, upstreamNote: [...upstreams].join(', ') });
        }
      }
    }
    // The gateway's spans first: they go to the same file and viewer as the app's.
    await sim.flushTraces();
    await telemetry.flush();
    return {
      runs,
      errors,
      evalItems,
      timeline,
      virtualStartMs,
      failoverWindow: { fromMs: clock.tickStartMs(timeline.failoverFromTick), toMs: clock.tickStartMs(timeline.failoverToTick) },
      destinations: telemetry.destinations,
      realRoutes: real,
      agents: agents.map(({ id, framework, routeLabel }) => ({ id, framework, routeLabel })),
      policyChange: { atMs: changeMs, before: OPENROUTER_POLICY_BEFORE, after: OPENROUTER_POLICY_AFTER },
      plannedRefusals,
      gatewaySpans: receiver?.received() ?? 0,
    };
  } finally {
    for (const agent of agents) await agent.close?.().catch(() => {});
    await telemetry?.shutdown().catch(() => {});
    // Undo register(): a later run in the same process registers its own provider.
    trace.disable();
    context.disable();
    propagation.disable();
    await sim?.close();
    await receiver?.close();
  }
}

/** One run's plan: the simulator scenario and the request fields of the route's policy at that time. */
type PlannedRun = RunScenario & { request?: Record<string, unknown> };

/**
 * One customer ticket: a root span for the support request, the agent run inside it. Returns the
 * answer, or undefined when the agent failed (the error stays on the span, the day goes on).
 */
async function handleTicket(
  tracer: Tracer,
  agent: SupportAgent,
  question: string,
  orderId: string,
  plan: PlannedRun,
  phase: Phase,
  virtualMs: number,
  simulated: boolean,
): Promise<string | undefined> {
  return tracer.startActiveSpan(
    `support_ticket ${agent.id}`,
    { attributes: { 'servedby.demo.agent': agent.id, 'servedby.demo.framework': agent.framework, 'servedby.demo.phase': phase } },
    async (span) => {
      try {
        return await askWithPlan(agent, question, orderId, plan, virtualMs, simulated);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        diag.debug(`servedby demo: ${agent.id} failed`, error);
        return undefined;
      } finally {
        span.end();
      }
    },
  );
}

function askWithPlan(
  agent: SupportAgent,
  question: string,
  orderId: string,
  plan: PlannedRun,
  virtualMs: number,
  simulated: boolean,
): Promise<string> {
  const request = plan.request ? { request: plan.request } : {};
  // A real service gets the run's request fields too (routing preferences are real features), no simulator headers.
  if (!simulated) return runWithSimPlan({ scenario: {}, timeMs: virtualMs, orderId, simulated: false, ...request }, () => agent.answer(question));
  const order = ORDERS[orderId]!;
  let variant = 0;
  for (const character of question) variant = (variant * 31 + character.charCodeAt(0)) >>> 0;
  const scenario = { ...plan.scenario, text: simulatedAnswer(order, plan.quality, variant + Math.floor(virtualMs / 3_600_000)) };
  return runWithSimPlan({ scenario, timeMs: virtualMs, orderId, ...request }, () => agent.answer(question));
}

/**
 * The nightly eval: each labelled question through the agent, inside one span per item that
 * carries the score (`gen_ai.evaluation.*`) and is the parent of the agent run it scored.
 */
async function runEval(
  tracer: Tracer,
  agent: SupportAgent,
  runId: string,
  planRun: (atMs: number) => PlannedRun,
  virtualMs: number,
  simulated: boolean,
): Promise<Array<{ score: number; upstream: string }>> {
  // Items run concurrently, as an eval harness would; each gets its plan in order first.
  const itemMs = (index: number): number => virtualMs + 120_000 + index * 10_000;
  const plans = LABELLED_QUESTIONS.map((_, index) => planRun(itemMs(index)));
  const results = await Promise.all(LABELLED_QUESTIONS.map(async (item, index) => {
    const plan = plans[index]!;
    return tracer.startActiveSpan(
      'eval support-answer',
      {
        attributes: {
          [ATTRIBUTE.evaluationName]: 'support-answer',
          [ATTRIBUTE.evaluationRunId]: runId,
          [ATTRIBUTE.evaluationItemId]: item.id,
          'servedby.demo.agent': agent.id,
        },
      },
      async (span) => {
        try {
          const answer = await askWithPlan(agent, item.question, item.orderId, plan, itemMs(index), simulated);
          const score = gradeAnswer(answer, item);
          span.setAttributes({ [ATTRIBUTE.evaluationScore]: score, [ATTRIBUTE.evaluationLabel]: score >= 0.7 ? 'pass' : 'fail' });
          return { score, upstream: String(plan.scenario.upstream ?? '') };
        } catch (error) {
          span.setAttributes({ [ATTRIBUTE.evaluationScore]: 0, [ATTRIBUTE.evaluationLabel]: 'error' });
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
          return { score: 0, upstream: 'error' };
        } finally {
          span.end();
        }
      },
    );
  }));
  return results;
}
