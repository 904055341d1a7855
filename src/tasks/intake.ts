import { HookyardError, isHookyardError } from "../errors.js";
import type { HandlerRegistry, RegisteredHandler } from "../events/registry.js";
import { deliveryMeta, storedMeta } from "../ingress/delivery-meta.js";
import { DELIVERY_ID } from "../ingress/headers.js";
import { settlesBy } from "../observability/deadline.js";
import type { Lifecycle } from "../observability/lifecycle.js";
import type { StoreOutage } from "../observability/outage.js";
import type { AcceptStatus, Backend, NewDelivery, NewTask } from "../store/backend.js";
import { taskId } from "./ids.js";
import { storedPayload, type PayloadCache } from "./payload-cache.js";
import type { WorkerPool } from "./pool.js";

export interface IntakeOptions {
  registry: HandlerRegistry;
  store: Backend;
  /** This process's pool: it decides how new tasks start (inline handlers run through it even when it claims nothing). */
  pool: Pick<WorkerPool, "take">;
  /** Payloads kept for the tasks this process will run. */
  payloads: PayloadCache;
  /** Whether this process runs tasks (HOOKYARD_WORKERS / role). */
  workers: boolean;
  defaultTimeoutMs: number;
  lifecycle: Lifecycle;
  /** How long an accept waits for the store's commit before it fails with HOOKYARD_ERR_STORE_UNAVAILABLE (ms). */
  acceptTimeoutMs: number;
  /** Where store failures are reported (logged once per outage). */
  outage?: StoreOutage;
  /** Called once a delivery is committed, whatever its status (e.g. caches that watch pushes). */
  onCommitted?: (delivery: NewDelivery, payload: Record<string, unknown>) => void;
}

/** A delivery handed over without HTTP (tests, benchmarks, custom transports). */
export interface ReceiveInput {
  id: string;
  name: string;
  payload: Record<string, unknown>;
}

/**
 * Turns a verified delivery into stored tasks: one per matching handler, committed with the
 * delivery, and offers them to this process's pool, which decides how they start (inline
 * handlers run their first attempt before the answer). Also replays stored deliveries.
 *
 * @example
 * ```ts
 * const status = await intake.accept(delivery, payload); // "accepted" | "ignored" | "duplicate"
 * ```
 */
export class DeliveryIntake {
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
    const tasks: NewTask[] = [];
    const inline = new Set<string>();
    for (const h of this.o.registry.match(delivery.event, delivery.action, payload)) {
      const task = this.newTask(h);
      tasks.push(task);
      if (h.inline) inline.add(task.id);
    }
    const takeover = this.o.pool.take(tasks, inline);
    if (this.o.workers || inline.size > 0) this.o.payloads.put(delivery.id, payload, tasks.length);
    const commit = this.o.store.accept(delivery, tasks, takeover.takes);
    const given = async (status: AcceptStatus): Promise<AcceptStatus> => {
      this.committed(delivery, payload, status, tasks.length);
      await takeover.committed(delivery, status);
      return status;
    };
    const dropped = (err: unknown) => {
      this.o.payloads.drop(delivery.id);
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

  /** What follows a commit, whatever its answer: watchers told, the event emitted, the payload dropped unless accepted. */
  private committed(delivery: NewDelivery, payload: Record<string, unknown>, status: AcceptStatus, tasks: number): void {
    this.o.onCommitted?.(delivery, payload);
    this.o.lifecycle.emit("delivery:accepted", { id: delivery.id, event: delivery.event, action: delivery.action, status, tasks });
    if (status !== "accepted") this.o.payloads.drop(delivery.id);
  }

  /** One new task per handler that matches a stored delivery now (its `when` given the stored payload). */
  async replay(deliveryId: string): Promise<{ delivery: string; tasks: string[] }> {
    const store = this.o.store;
    const delivery = await store.getDelivery(deliveryId);
    if (!delivery) throw new HookyardError("HOOKYARD_ERR_STORE_NOT_FOUND", `no delivery ${deliveryId}`);
    const payload = await storedPayload(store, deliveryId);
    const tasks = this.o.registry.match(delivery.event, delivery.action, payload).map((h) => this.newTask(h));
    await store.addTasks(deliveryId, tasks);
    return { delivery: deliveryId, tasks: tasks.map((t) => t.id) };
  }

  private newTask(h: RegisteredHandler): NewTask {
    return {
      id: taskId(), name: h.name, maxAttempts: h.maxAttempts, backoff: h.backoff,
      timeoutMs: h.timeoutMs ?? this.o.defaultTimeoutMs,
    };
  }
}
