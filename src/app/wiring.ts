import type { Logger } from "pino";
import type { HookyardConfig } from "../config/index.js";
import type { HandlerRegistry } from "../events/registry.js";
import type { GitHubClients } from "../github/clients.js";
import type { RepoConfigCache } from "../github/repo-config/index.js";
import type { RoutePlugin } from "../http/app-routes.js";
import { buildServer, type HookyardServer } from "../http/server.js";
import type { OAuthService } from "../identity/oauth/index.js";
import type { Lifecycle } from "../observability/lifecycle.js";
import type { StoreOutage } from "../observability/outage.js";
import { startTracingFromEnv } from "../observability/tracing-start.js";
import type { TraceParents } from "../observability/tracing-task.js";
import type { Backend } from "../store/backend.js";
import { openStore } from "../store/open.js";
import { Pruner } from "../store/pruner.js";
import type { Circuits } from "../steering/circuits.js";
import { HOLD_LIMIT } from "../tasks/held.js";
import { DeliveryIntake } from "../tasks/intake.js";
import type { PayloadCache } from "../tasks/payload-cache.js";
import { WorkerPool } from "../tasks/pool.js";
import { runAttempt, type ErrorHandler } from "../tasks/runner.js";

/** The parts of an app the builders below connect. */
export interface AppParts {
  config: HookyardConfig;
  log: Logger;
  events: Lifecycle;
  registry: HandlerRegistry;
  /** Lease owner id of this process's workers. */
  owner: string;
  /** The store, once opened. */
  store: () => Backend;
  outage: StoreOutage;
  repoConfig: RepoConfigCache;
}

/**
 * The background retention pruner, or undefined with HOOKYARD_RETENTION=0 or HOOKYARD_PRUNE_INTERVAL=0.
 *
 * @example
 * ```ts
 * const pruner = buildPruner(parts); pruner?.start();
 * ```
 */
export function buildPruner(p: AppParts): Pruner | undefined {
  const { config, events } = p;
  if (config.retention <= 0 || config.pruneInterval <= 0) return undefined;
  return new Pruner({
    store: p.store, owner: p.owner, retentionMs: config.retention,
    failedRetentionMs: config.failedRetention || Number.MAX_SAFE_INTEGER, intervalMs: config.pruneInterval, log: p.log,
    onBatch: ({ deliveries, tasks, bytes, tombstones }) => events.emit("store:pruned", { deliveries, tasks, bytes, tombstones }),
  });
}

/**
 * The intake that stores verified deliveries with their tasks and offers the tasks to the pool.
 *
 * @example
 * ```ts
 * const intake = buildIntake(parts, { backend, pool, payloads }); await intake.accept(delivery, payload);
 * ```
 */
export function buildIntake(p: AppParts, r: { backend: Backend; pool: WorkerPool; payloads: PayloadCache }): DeliveryIntake {
  const { config } = p;
  return new DeliveryIntake({
    acceptTimeoutMs: config.acceptTimeout, outage: p.outage,
    registry: p.registry, store: r.backend, pool: r.pool, payloads: r.payloads, workers: config.workers,
    defaultTimeoutMs: config.taskTimeout, lifecycle: p.events,
    // whether or not a handler wants it, a push that changed a config file drops it from the cache
    onCommitted: (delivery, payload) => {
      if (delivery.event === "push") p.repoConfig.onPush(payload);
    },
  });
}

/**
 * Opens an app's store: starts the OpenTelemetry SDK when OTEL_* asks for traces, opens the
 * `HOOKYARD_STORE` URL (or takes the backend given) and logs its production warnings once.
 *
 * @example
 * ```ts
 * const backend = await openBackend("sqlite://./hookyard.db", config, process.env, log);
 * ```
 */
export async function openBackend(store: string | Backend, config: HookyardConfig, env: NodeJS.ProcessEnv, log: Logger): Promise<Backend> {
  // the OpenTelemetry SDK, only when OTEL_* asks for traces (nothing is loaded otherwise)
  await startTracingFromEnv(env, log);
  const backend = typeof store === "object" ? store : await openStore(store, { leaseMs: config.lease, pollIntervalMs: config.pollInterval });
  // production checks that do not stop a start (e.g. Redis without AOF) are logged once
  for (const warning of (backend as { warnings?: readonly string[] }).warnings ?? []) log.warn({ store: backend.description }, warning);
  return backend;
}

/** What the worker pool's runner needs beside the app's parts. */
export interface RunnerParts {
  backend: Backend;
  payloads: PayloadCache;
  github: GitHubClients;
  errorHandlers: ErrorHandler[];
  traceParents: TraceParents;
  keepAlive: boolean;
  /** The clock retries are scheduled by (default `Date.now`). */
  taskClock: (() => number) | undefined;
}

/**
 * The worker pool (not started) that claims this app's tasks and runs each attempt.
 *
 * @example
 * ```ts
 * const pool = buildPool(parts, { backend, payloads, github, errorHandlers, traceParents, keepAlive: true, taskClock: undefined });
 * ```
 */
export function buildPool(p: AppParts, r: RunnerParts): WorkerPool {
  const { config, log } = p;
  return new WorkerPool({
    backend: r.backend, owner: p.owner, concurrency: config.concurrency, leaseMs: config.lease, pollIntervalMs: config.pollInterval,
    holdLimit: HOLD_LIMIT, log, outage: p.outage, keepAlive: r.keepAlive,
    run: (task, stop) => runAttempt(task, stop, {
      registry: p.registry, loadPayload: (id) => r.payloads.load(id), log, lifecycle: p.events,
      defaultTimeoutMs: config.taskTimeout, errorHandlers: r.errorHandlers, repoConfig: p.repoConfig,
      octokit: (task, meta, log) => r.github.forDelivery(meta, task.deliveryId, log()).octokit,
      traceparent: (task) => r.traceParents.lookup(task.deliveryId),
      ...(r.taskClock ? { now: r.taskClock } : {}),
    }),
  });
}

/** What the HTTP server needs beside the app's parts. */
export interface ServerParts {
  store: Backend;
  intake: DeliveryIntake;
  traceParents: TraceParents;
  circuits: Circuits;
  oauth: OAuthService | undefined;
  /** The app's own routes, in order (its Node handlers last). */
  routes: { plugin: RoutePlugin; prefix: string | undefined }[];
  isDraining: () => boolean;
  workersRunning: () => boolean;
}

/**
 * The app's HTTP server (not listening): the webhook route hands deliveries to the intake.
 *
 * @example
 * ```ts
 * const server = await buildAppServer(parts, { store, intake, traceParents, circuits, oauth, routes: [], isDraining, workersRunning });
 * ```
 */
export function buildAppServer(p: AppParts, s: ServerParts): Promise<HookyardServer> {
  const { config } = p;
  return buildServer({
    config,
    log: p.log,
    store: s.store,
    isDraining: s.isDraining,
    receive: (delivery, payload) => {
      s.traceParents.remember(delivery);
      return s.intake.accept(delivery, payload);
    },
    replay: (id) => s.intake.replay(id),
    lifecycle: p.events, workersRunning: s.workersRunning, circuits: () => s.circuits.list(),
    appRoutes: { routes: s.routes, oauth: s.oauth, webhookPath: config.webhookPath },
  });
}
