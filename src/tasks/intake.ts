import { HookyardError, isHookyardError } from "../errors.js";
import type { HandlerRegistry, RegisteredHandler } from "../events/registry.js";
import { deliveryMeta, storedMeta } from "../ingress/delivery-meta.js";
import { DELIVERY_ID } from "../ingress/headers.js";
import { mediaType, parsePayload } from "../ingress/parse.js";
import { settlesBy } from "../observability/deadline.js";
import type { Lifecycle } from "../observability/lifecycle.js";
import type { StoreOutage } from "../observability/outage.js";
import type { AcceptStatus, Backend, ClaimedTask, NewDelivery, NewTask } from "../store/backend.js";
import { taskId } from "./ids.js";
import { PayloadCache } from "./payload-cache.js";
import type { WorkerPool } from "./pool.js";

export interface IntakeOptions {
  registry: HandlerRegistry;
  store: () => Backend;
  /** This process's pool (inline handlers run through it even when it claims nothing). */
  pool: () => WorkerPool | undefined;
  /** Whether this process runs tasks (HOOKYARD_WORKERS / role). */
  workers: boolean;
  /** Lease owner id of this process. */
  owner: string;
  leaseMs: number;
  defaultTimeoutMs: number;
  lifecycle: Lifecycle;
  /** How long an accept waits for the store's commit before it fails with HOOKYARD_ERR_STORE_UNAVAILABLE (ms). */
  acceptTimeoutMs: number;
  /** Where store failures are reported (logged once per outage). */
  outage?: StoreOutage;
  /** Called once a delivery is committed, whatever its status (e.g. caches that watch pushes). */
  onCommitted?: (delivery: NewDelivery, payload: Record<string, unknown>) => void;
}

/**
 * Payloads kept for tasks that have not started. Room for the tasks the pool holds (HOLD_LIMIT)
 * and the accepts in flight, and, on a shared store whose tasks are claimed, for a backlog: a miss
 * reads the body back from the store and parses it again (27 % of tasks at 2,000 in a BullMQ-Redis
 * bench, 8–15 % fewer tasks/s). A parsed 12 KB payload takes about 13 KB of heap: 65 MB when full.
 */
const PAYLOAD_CACHE_SIZE = 5_000;

/** A delivery handed over without HTTP (tests, benchmarks, custom transports). */
export interface ReceiveInput {
  id: string;
  name: string;
  payload: Record<string, unknown>;
}

/**
 * Turns a verified delivery into stored tasks: one per matching handler, committed with the
 * delivery. When workers have free slots, tasks are created already claimed by this process and
 * start right after the commit (no claim round trip); inline handlers run their first attempt
 * before the answer. Also replays stored deliveries and gives the runner each task's payload.
 *
 * @example
 * ```ts
 * const status = await intake.accept(delivery, payload); // "accepted" | "ignored" | "duplicate"
 * ```
 */
export class DeliveryIntake {
  private readonly payloads = new PayloadCache(PAYLOAD_CACHE_SIZE);

  constructor(private readonly o: IntakeOptions) {}

  /** The delivery `receive()` stores for a payload given without HTTP. */
  static fromInput(input: ReceiveInput): { delivery: NewDelivery; payload: Record<string, unknown> } {
    const payload = input.payload;
    if (typeof input.id !== "string" || !DELIVERY_ID.test(input.id)) {
      throw new HookyardError("HOOKYARD_ERR_INGRESS_DELIVERY_ID_INVALID", "a delivery id must be 1 to 64 letters, digits and hyphens (GitHub sends a GUID)");
    }
    if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
      throw new HookyardError("HOOKYARD_ERR_INGRESS_PAYLOAD_INVALID", "the payload must be a JSON object");
    }
    const delivery: NewDelivery = {
      id: input.id, ...storedMeta(deliveryMeta(input.name, payload)),
      headers: { "x-github-event": input.name, "x-github-delivery": input.id, "content-type": "application/json" },
      body: Buffer.from(JSON.stringify(payload)), contentType: "application/json", receivedAt: Date.now(),
    };
    return { delivery, payload };
  }

  /** Stores a verified delivery with one task per matching handler; runs inline handlers' first attempt. */
  async accept(delivery: NewDelivery, payload: Record<string, unknown>): Promise<AcceptStatus> {
    const pool = this.o.pool();
    const tasks = this.o.registry.match(delivery.event, delivery.action).map((h) => this.newTask(h));
    const inline = tasks.filter((t) => t.claimedBy);
    const background = tasks.filter((t) => !t.claimedBy);
    // this process's workers take the new tasks without a claim: held for it (queued, reserved)
    // when the store has holds, else claimed outright while slots are free
    const taker = this.o.workers ? pool : undefined;
    const holds = taker?.holds ?? false;
    let taken = 0;
    if (taker) taken = holds ? taker.hold(background.length) : taker.reserve(background.length);
    const early = background.slice(0, taken);
    const lease = { owner: this.o.owner, leaseMs: this.o.leaseMs };
    for (const t of early) t[holds ? "heldBy" : "claimedBy"] = lease;
    const reserved = holds ? 0 : early.length;
    if (this.o.workers || inline.length > 0) this.payloads.put(delivery.id, payload, tasks.length);
    const commit = this.o.store().accept(delivery, tasks);
    const given = (status: AcceptStatus) => this.committed(delivery, payload, status, { count: tasks.length, early, inline, holds, reserved });
    const dropped = (err: unknown) => {
      pool?.unreserve(reserved);
      this.payloads.drop(delivery.id);
      if (isHookyardError(err, "HOOKYARD_ERR_STORE_UNAVAILABLE")) this.o.outage?.failed(err, "accept");
    };
    if (!(await settlesBy(commit, Date.now() + this.o.acceptTimeoutMs))) {
      // The write may still land. If it does, its tasks run as if it had been in time (GitHub got a
      // 503: its redelivery of the id answers 200 duplicate); if it fails, nothing was stored.
      commit.then((status) => {
        this.o.outage?.ok();
        void given(status).catch(() => undefined);
      }, dropped);
      const err = new HookyardError("HOOKYARD_ERR_STORE_UNAVAILABLE", `the store did not commit the delivery within ${this.o.acceptTimeoutMs} ms; GitHub can redeliver it`);
      this.o.outage?.failed(err, "accept");
      throw err;
    }
    let status: AcceptStatus;
    try {
      status = await commit;
    } catch (err) {
      dropped(err);
      throw err;
    }
    this.o.outage?.ok();
    return given(status);
  }

  /** What follows a commit: events, and the new tasks handed to this process's workers (inline ones run now). */
  private async committed(delivery: NewDelivery, payload: Record<string, unknown>, status: AcceptStatus, t: Taken): Promise<AcceptStatus> {
    const { early, inline, holds, reserved } = t;
    const pool = this.o.pool();
    this.o.onCommitted?.(delivery, payload);
    this.o.lifecycle.emit("delivery:accepted", { id: delivery.id, event: delivery.event, action: delivery.action, status, tasks: t.count });
    if (status !== "accepted") {
      pool?.unreserve(reserved);
      this.payloads.drop(delivery.id);
      return status;
    }
    for (const t of early) {
      if (holds) pool?.runHeld(claimedFrom(t, delivery));
      else void pool?.runClaimed(claimedFrom(t, delivery), true);
    }
    if (inline.length > 0 && pool) await Promise.all(inline.map((t) => pool.runClaimed(claimedFrom(t, delivery))));
    return status;
  }

  /** One new task per handler that matches a stored delivery now. */
  async replay(deliveryId: string): Promise<{ delivery: string; tasks: string[] }> {
    const store = this.o.store();
    const delivery = await store.getDelivery(deliveryId);
    if (!delivery) throw new HookyardError("HOOKYARD_ERR_STORE_NOT_FOUND", `no delivery ${deliveryId}`);
    const tasks = this.o.registry.match(delivery.event, delivery.action).map((h) => ({ ...this.newTask(h), claimedBy: undefined }));
    await store.addTasks(deliveryId, tasks);
    return { delivery: deliveryId, tasks: tasks.map((t) => t.id) };
  }

  /** A task's payload: kept from its accept when this process took it, else read from the store. */
  async loadPayload(deliveryId: string): Promise<unknown> {
    const cached = this.payloads.take(deliveryId);
    if (cached !== undefined) return cached;
    const stored = await this.o.store().getBody(deliveryId);
    if (!stored) throw new HookyardError("HOOKYARD_ERR_TASK_DELIVERY_MISSING", `delivery ${deliveryId} is not in the store`);
    return parsePayload(stored.body, mediaType(stored.contentType) ?? "application/json");
  }

  private newTask(h: RegisteredHandler): NewTask {
    return {
      id: taskId(), name: h.name, maxAttempts: h.maxAttempts, backoff: h.backoff,
      timeoutMs: h.timeoutMs ?? this.o.defaultTimeoutMs,
      ...(h.inline ? { claimedBy: { owner: this.o.owner, leaseMs: this.o.leaseMs } } : {}),
    };
  }
}

/** The tasks of one accept: how many, and those this process takes at once (held or reserved) or runs inline. */
interface Taken {
  count: number;
  early: NewTask[];
  inline: NewTask[];
  holds: boolean;
  reserved: number;
}

function claimedFrom(t: NewTask, d: NewDelivery): ClaimedTask {
  return { id: t.id, name: t.name, deliveryId: d.id, event: d.event, action: d.action, attempt: 1, maxAttempts: t.maxAttempts, backoff: t.backoff, timeoutMs: t.timeoutMs };
}
