import type { Backend } from "../store/backend.js";
import { MemoryBackend } from "../store/backends/memory/index.js";
import type { FakeClock } from "./fake-github/clock.js";

/** `t.clock`: the fake GitHub's clock, which the test app's store and task runner share. */
export interface TestClock {
  /** The time in ms (the fake's: the real clock plus every `advance`). */
  now(): number;
  /**
   * Moves the time forward by `ms` and wakes the workers: tasks that are due by then (a retry's
   * backoff, a rate-limit reset) run; `await t.settled()` waits for them.
   */
  advance(ms: number): void;
}

/**
 * A memory store on the fake's clock, and a way to tell the workers to look for due tasks (the
 * store's own "tasks queued" notice, as a new delivery would send it).
 */
export function storeOnClock(clock: FakeClock): { store: Backend; clock: TestClock; jumpTo: (at: number) => void } {
  const store = new MemoryBackend(() => clock.now());
  const listeners = new Set<() => void>();
  const subscribe = store.onTasksQueued.bind(store);
  store.onTasksQueued = (listener) => {
    listeners.add(listener);
    const off = subscribe(listener);
    return () => {
      listeners.delete(listener);
      off();
    };
  };
  const poke = () => {
    for (const l of listeners) l();
  };
  const testClock: TestClock = {
    now: () => clock.now(),
    advance(ms) {
      clock.advance(ms);
      poke();
    },
  };
  return { store, clock: testClock, jumpTo: (at) => testClock.advance(Math.max(0, at - clock.now())) };
}
