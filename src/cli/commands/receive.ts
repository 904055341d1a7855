import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { Hookyard, type HookyardOptions } from "../../app/index.js";
import { HookyardError } from "../../errors.js";
import type { ClaimedTask } from "../../store/backend.js";
import { appModuleFailed, loadAppModule, probotLoadOptions } from "../load-app.js";

/** Options of {@link receiveOnce}. */
export interface ReceiveOnceOptions extends HookyardOptions {
  /** The event, `issues` (or `issues.opened`: the action is then taken from the payload). */
  event: string;
  /** A JSON file with the payload. */
  payloadPath: string;
  appModules: readonly string[];
  id?: string;
}

/** How one handler's single run ended. */
export interface ReceiveOutcome {
  handler: string;
  ok: boolean;
  error?: string;
}

/**
 * `probot receive` for Hookyard: runs the app modules once on one payload, without a server or a
 * durable store (memory), each handler once, and resolves with how each handler ended. GitHub is
 * reached with the App of the environment (`APP_ID`, `PRIVATE_KEY`), as under `serve`.
 *
 * @example
 * ```ts
 * const outcomes = await receiveOnce({ event: "issues", payloadPath: "./issue.json", appModules: ["./app.js"] });
 * ```
 */
export async function receiveOnce(o: ReceiveOnceOptions): Promise<ReceiveOutcome[]> {
  const { event, payloadPath, appModules, id = randomUUID(), ...rest } = o;
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(readFileSync(payloadPath, "utf8")) as Record<string, unknown>;
  } catch (err) {
    throw new HookyardError("HOOKYARD_ERR_CLI_USAGE", `cannot read the payload ${payloadPath}: ${(err as Error).message}`);
  }
  const app = new Hookyard({ store: "memory:", redeliveryInterval: 0, keepAlive: false, ...rest });
  const outcomes = new Map<string, ReceiveOutcome>();
  const ended = (task: ClaimedTask, error?: { message: string }) => {
    if (task.deliveryId === id) outcomes.set(task.id, { handler: task.name, ok: !error, ...(error ? { error: error.message } : {}) });
    wake();
  };
  let wake = () => undefined as void;
  app.events.on("task:complete", ({ task }) => ended(task));
  app.events.on("task:retry", ({ task, error }) => ended(task, error));
  app.events.on("task:failed", ({ task, error }) => ended(task, error));
  app.events.on("task:deferred", ({ task, error }) => ended(task, error));
  for (const module of appModules) {
    const fn = await loadAppModule(module);
    await app.load(fn, probotLoadOptions(module)).catch((err: unknown) => {
      throw appModuleFailed(module, err);
    });
  }
  await app.receive({ id, name: event.split(".")[0] as string, payload });
  const tasks = (await app.store.listTasks({ deliveryId: id, limit: 500 })).items.length;
  while (outcomes.size < tasks) await new Promise<void>((resolve) => (wake = resolve));
  // a failed handler is not tried again: the run is over
  await app.stop();
  return [...outcomes.values()];
}
