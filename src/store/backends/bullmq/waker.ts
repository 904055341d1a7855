/**
 * Turns BullMQ's blocking wait for work (Redis: `BZPOPMIN` on the queue's marker, on the worker's
 * dedicated blocking connection; Postgres: `LISTEN` on BullMQ's jobs channel) into "tasks were
 * queued" notifications, so workers in every process wake as soon as any process queues a task
 * instead of at their next poll.
 *
 * The wait is armed only while the last claim came back with fewer tasks than asked for: after a
 * wake-up it stays disarmed until a claim finds the queue drained again. A wait that returns at
 * once whenever jobs are waiting (Postgres checks for them first) therefore never spins while all
 * workers are busy.
 */
export class Waker {
  private armed = true;
  private stopped = false;
  private rearm: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private pause: { timer: NodeJS.Timeout; resolve: () => void } | undefined;

  constructor(
    private readonly wait: () => Promise<boolean>,
    private readonly wake: () => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  /** Called when a claim found fewer tasks than it asked for: wait for the next one. */
  arm(): void {
    this.armed = true;
    this.rearm?.();
  }

  /** Stops the loop; `interrupt` must end a wait in progress. */
  async stop(interrupt: () => Promise<void>): Promise<void> {
    this.stopped = true;
    this.rearm?.();
    if (this.pause) {
      clearTimeout(this.pause.timer);
      this.pause.resolve();
    }
    if (this.running) await interrupt().catch(this.onError);
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      if (!this.armed) {
        await new Promise<void>((resolve) => (this.rearm = resolve));
        this.rearm = undefined;
        continue;
      }
      let woke = false;
      try {
        woke = await this.wait();
      } catch (err) {
        if (this.stopped) break;
        this.onError(err);
        // the connection is down or reconnecting: try again in a second
        await new Promise<void>((resolve) => (this.pause = { timer: setTimeout(resolve, 1000), resolve }));
        this.pause = undefined;
        continue;
      }
      if (this.stopped) break;
      if (woke) {
        this.armed = false;
        this.wake();
      }
    }
  }
}
