import { HookyardError } from "../errors.js";
import { parseDuration } from "../config/units.js";
import type { BackoffPolicy } from "../store/backend.js";
import { resolveBackoff, type BackoffOption } from "./backoff-option.js";
import type { Context } from "./context.js";
import { EVENT_NAMES } from "./names.generated.js";
import type { EventName } from "./types.js";

/** A handler for one or more events. */
export type Handler<E extends EventName = EventName> = (ctx: Context<E>) => unknown;

/** Options of `app.on()`. */
export interface HandlerOptions {
  /** Retries after the first attempt (default 3). */
  retries?: number;
  /** `exponential` (default) | `linear` | `fixed` | `fibonacci`, or `{ type, delay, maxDelay, jitter }`. */
  backoff?: BackoffOption;
  /** Abort `ctx.signal` and fail the attempt after this long: ms or "30s", "2m" (default HOOKYARD_TASK_TIMEOUT). */
  timeout?: number | string;
  /** Run the first attempt inside the request, before the answer (must be quick). Default false. */
  inline?: boolean;
  /** Stable task name; default `<events>:<function name>`. Stored tasks find their handler by it. */
  name?: string;
  /**
   * A quick synchronous check of the payload, made when a delivery is accepted (and when it is
   * replayed), with the delivery's event (`"issues"`): falsy → no task for this handler (the
   * delivery is still stored). Saves storing and running tasks that would return at once. A `when`
   * that throws counts as true (the handler decides); the first throw of each handler is logged.
   * The payload is as received (typed `unknown`: cast it to `PayloadOf<…>`).
   *
   * @example
   * ```ts
   * const when = (p: unknown) => (p as PayloadOf<"issue_comment.created">).comment.body.startsWith("/deploy");
   * app.on("issue_comment.created", deploy, { when });
   * ```
   */
  when?: (payload: unknown, event: string) => boolean;
}

/** A registered handler with its options resolved. */
export interface RegisteredHandler {
  name: string;
  /** Event names it matches, or `"*"` for every event. */
  events: ReadonlySet<string> | "*";
  fn: Handler;
  maxAttempts: number;
  backoff: BackoffPolicy;
  /** Undefined: the configured default. */
  timeoutMs: number | undefined;
  inline: boolean;
  /** Undefined: every delivery of its events. */
  when: HandlerOptions["when"];
}

/**
 * The handlers of an app, by task name and by event.
 *
 * @example
 * ```ts
 * const registry = new HandlerRegistry((name) => log.warn(`"${name}" is not a known webhook name`));
 * ```
 */
export class HandlerRegistry {
  private readonly byName = new Map<string, RegisteredHandler>();
  private readonly ordered: RegisteredHandler[] = [];
  /** Events of the deliveries Hookyard stores for its own tasks (see `addTaskHandler`). */
  private readonly ownEvents = new Set<string>();

  /** Handlers whose `when` threw once already (told to `onWhenThrew` once each). */
  private readonly whenThrew = new Set<string>();

  /**
   * `onUnknown` is told of each name GitHub does not send (a custom event such as
   * `schedule.repository`), as Probot 14 warns; `onWhenThrew` of the first throw of each handler's `when`.
   */
  constructor(
    private readonly onUnknown: (name: string) => void = () => undefined,
    private readonly onWhenThrew: (handler: string, err: unknown) => void = () => undefined,
  ) {}

  /**
   * Registers a handler. A name GitHub does not send is registered all the same (the app may
   * `receive()` such events itself) after `onUnknown`; `"*"` as a name throws, pointing to `onAny`.
   */
  add(events: readonly string[] | "*", fn: Handler, options: HandlerOptions = {}): RegisteredHandler {
    if (typeof fn !== "function") throw new HookyardError("HOOKYARD_ERR_HANDLER_OPTIONS_INVALID", "a handler must be a function");
    if (events !== "*") {
      if (events.length === 0) throw new HookyardError("HOOKYARD_ERR_EVENT_UNKNOWN", "app.on() needs at least one event name");
      if (events.includes("*")) {
        throw new HookyardError("HOOKYARD_ERR_EVENT_UNKNOWN", 'Using the "*" event with the regular app.on() function is not supported. Please use the app.onAny() method instead');
      }
      for (const e of events) if (!EVENT_NAMES.has(e)) this.onUnknown(e);
    }
    return this.register(events === "*" ? "*" : new Set(events), this.nameFor(events, fn, options.name), fn, options);
  }

  /**
   * Registers a handler of Hookyard's own (the `hookyard:notify` task of failure notifications).
   * Only `ownEvent` matches it — the event of the deliveries Hookyard stores for it, so a replay of
   * one runs it again — and `onAny` handlers never match `ownEvent`.
   */
  addTaskHandler(name: string, fn: Handler, options: Omit<HandlerOptions, "name" | "inline"> = {}, ownEvent?: string): RegisteredHandler {
    if (ownEvent !== undefined) this.ownEvents.add(ownEvent);
    return this.register(new Set(ownEvent !== undefined ? [ownEvent] : []), this.nameFor([], fn, name), fn, options);
  }

  private register(events: ReadonlySet<string> | "*", name: string, fn: Handler, options: HandlerOptions): RegisteredHandler {
    const handler: RegisteredHandler = {
      name,
      events,
      fn,
      maxAttempts: 1 + retriesOf(options.retries),
      backoff: resolveBackoff(options.backoff),
      timeoutMs: timeoutOf(options.timeout),
      inline: options.inline ?? false,
      when: options.when,
    };
    this.byName.set(handler.name, handler);
    this.ordered.push(handler);
    return handler;
  }

  /**
   * The handlers for a delivery of `event` with `action`, in registration order; given the
   * delivery's `payload`, only those whose `when` (if any) accepts it.
   */
  match(event: string, action: string | null, payload?: unknown): RegisteredHandler[] {
    const full = action ? `${event}.${action}` : undefined;
    const any = !this.ownEvents.has(event); // onAny handlers see GitHub's events, not Hookyard's own
    return this.ordered.filter((h) => (h.events === "*" ? any : h.events.has(event) || (full !== undefined && h.events.has(full)))
      && (payload === undefined || this.wants(h, event, payload)));
  }

  /** Whether `h` wants a task for this payload: its `when`, a throw counting as yes. */
  private wants(h: RegisteredHandler, event: string, payload: unknown): boolean {
    if (!h.when) return true;
    try {
      return Boolean(h.when(payload, event));
    } catch (err) {
      if (!this.whenThrew.has(h.name)) {
        this.whenThrew.add(h.name);
        this.onWhenThrew(h.name, err);
      }
      return true;
    }
  }

  get(name: string): RegisteredHandler | undefined {
    return this.byName.get(name);
  }

  get size(): number {
    return this.ordered.length;
  }

  private nameFor(events: readonly string[] | "*", fn: Handler, explicit: string | undefined): string {
    if (explicit !== undefined) {
      if (explicit.trim() === "") throw new HookyardError("HOOKYARD_ERR_HANDLER_OPTIONS_INVALID", "a handler name must not be empty");
      if (this.byName.has(explicit)) throw new HookyardError("HOOKYARD_ERR_HANDLER_DUPLICATE_NAME", `a handler named "${explicit}" is already registered`);
      return explicit;
    }
    const base = `${events === "*" ? "*" : events.join("+")}:${fn.name || "anonymous"}`;
    let name = base;
    for (let n = 2; this.byName.has(name); n++) name = `${base}#${n}`;
    return name;
  }
}

function retriesOf(retries: number | undefined): number {
  if (retries === undefined) return 3;
  if (!Number.isInteger(retries) || retries < 0) throw new HookyardError("HOOKYARD_ERR_HANDLER_OPTIONS_INVALID", "retries must be a whole number ≥ 0");
  return retries;
}

function timeoutOf(timeout: number | string | undefined): number | undefined {
  if (timeout === undefined) return undefined;
  const ms = parseDuration(timeout);
  if (ms === undefined || ms < 1) throw new HookyardError("HOOKYARD_ERR_HANDLER_OPTIONS_INVALID", `timeout must be a duration like 30s or 2m, got ${JSON.stringify(timeout)}`);
  return ms;
}
