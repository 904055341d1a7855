/**
 * The cancellation of one attempt (timeout, shutdown, lost lease): a flag with listeners, and an
 * `AbortSignal` made only when someone asks for one (`ctx.signal`).
 * Listeners are plain closures, not an `AbortController` per attempt (why: docs/benchmarks.md,
 * "Garbage collection on the hot path").
 *
 * @example
 * ```ts
 * const stop = new Stopper();
 * const off = stop.onAbort((reason) => cleanUp(reason));
 * stop.abort("timeout"); // listeners run once; stop.signal (if made) is aborted with the same reason
 * ```
 */
export class Stopper {
  private stopped = false;
  private why: unknown = undefined;
  private listeners: ((reason: unknown) => void)[] | undefined;
  private controller: AbortController | undefined;

  get aborted(): boolean {
    return this.stopped;
  }

  get reason(): unknown {
    return this.why;
  }

  /** An `AbortSignal` that follows this stopper (made on first use). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.stopped) this.controller.abort(this.why);
    }
    return this.controller.signal;
  }

  /** Stops once: later calls do nothing. Listeners run in the order they were added. */
  abort(reason: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.why = reason;
    const listeners = this.listeners ?? [];
    this.listeners = undefined;
    this.controller?.abort(reason);
    for (const fn of listeners) fn(reason);
  }

  /** Calls `fn` when stopped (at once if already stopped); returns a function that removes it. */
  onAbort(fn: (reason: unknown) => void): () => void {
    if (this.stopped) {
      fn(this.why);
      return () => undefined;
    }
    (this.listeners ??= []).push(fn);
    return () => {
      const list = this.listeners;
      if (!list) return;
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.listeners = undefined; // an emptied array can still hold what it held
    };
  }
}
