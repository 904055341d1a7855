/** Shared helpers for store, task and process tests: temp dirs, record builders, error and wait helpers. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import type { Backend, BackoffPolicy, ClaimedTask, NewDelivery, NewTask } from "../../src/store/backend.js";

const dirs: string[] = [];

/** A fresh directory under the OS temp dir, removed by {@link removeTempDirs}. */
export function tempDir(prefix = "hookyard-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** Removes the test dirs; retried, as a killed redis-server's forked AOF rewrite may still be writing into its dir for a moment. */
export function removeTempDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}

export const NO_JITTER: BackoffPolicy = { type: "fixed", delay: 1000, maxDelay: 60_000, jitter: "none" };

let counter = 0;

/** A delivery with sensible defaults; `body` defaults to a small JSON object. */
export function newDelivery(overrides: Partial<NewDelivery> = {}): NewDelivery {
  counter += 1;
  return {
    id: `d-${counter}-${randomUUID()}`,
    event: "issues",
    action: "opened",
    repository: "octo/one",
    installationId: 42,
    headers: { "x-github-event": overrides.event ?? "issues", "user-agent": "GitHub-Hookshot/test" },
    body: Buffer.from(JSON.stringify({ action: overrides.action ?? "opened", n: counter })),
    contentType: "application/json",
    receivedAt: 1_700_000_000_000 + counter,
    ...overrides,
  };
}

export function newTask(overrides: Partial<NewTask> = {}): NewTask {
  return { id: `t-${randomUUID()}`, name: "issues:handler", maxAttempts: 3, backoff: NO_JITTER, timeoutMs: 10_000, ...overrides };
}

/** Accepts one delivery with `n` default tasks and returns their ids. */
export async function seed(store: Backend, n = 1, task: Partial<NewTask> = {}, delivery: Partial<NewDelivery> = {}): Promise<string[]> {
  const tasks = Array.from({ length: n }, () => newTask(task));
  await store.accept(newDelivery(delivery), tasks);
  return tasks.map((t) => t.id);
}

/** Asserts `promise` rejects with a HookyardError of `code`. */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code });
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the store's next wake-up time (a retry's runAt or a lease's expiry) has passed. The
 * time itself is the event waited for: the wait is derived from the store, never a guess.
 */
export async function untilWake(store: Backend): Promise<void> {
  const at = await store.nextWakeAt();
  if (at !== null && at >= Date.now()) await delay(at - Date.now() + 1);
}

/** Claims for `owner` until something is returned, sleeping only until the store's next wake time. */
export async function claimWhenDue(store: Backend, owner: string, leaseMs = 60_000, rounds = 20): Promise<ClaimedTask[]> {
  for (let i = 0; i < rounds; i++) {
    const claimed = await store.claim(owner, 10, leaseMs);
    if (claimed.length > 0) return claimed;
    await untilWake(store);
  }
  throw new Error(`nothing became claimable for ${owner} after ${rounds} wake-ups`);
}

/**
 * Bounded polling: calls `check` until it returns a value other than undefined/false, awaiting
 * `intervalMs` between checks, and fails after `timeoutMs` with `what` in the message.
 */
export async function pollUntil<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(intervalMs);
  }
}

/** Follows `nextCursor` from the first page to the last (at most 20 pages); returns the ids and page sizes. */
export async function walkPages(list: (cursor: string | undefined) => Promise<{ items: { id: string }[]; nextCursor: string | null }>): Promise<{ ids: string[]; sizes: number[] }> {
  const ids: string[] = [];
  const sizes: number[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 20; page++) {
    const res = await list(cursor);
    ids.push(...res.items.map((x) => x.id));
    sizes.push(res.items.length);
    if (res.nextCursor === null) return { ids, sizes };
    cursor = res.nextCursor;
  }
  throw new Error("pagination did not end after 20 pages");
}

/** The stores {@link withCleanup} wrapped, by their wrapper. */
const wrapped = new WeakMap<object, Backend>();

/**
 * The backend, with `close()` also running `cleanup` (e.g. removing a test's Redis keys or
 * Postgres schema: the conformance suite closes every store it opens).
 */
export function withCleanup<T extends Backend>(store: T, cleanup: () => Promise<void>): T {
  let cleaned: Promise<void> | undefined;
  const proxy = new Proxy(store, {
    get(target, prop) {
      if (prop === "close") return () => target.close().then(() => (cleaned ??= cleanup()));
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  wrapped.set(proxy, store);
  return proxy;
}

/** Closes a store without the cleanup {@link withCleanup} gave it: its data stays, to be opened again. */
export function closeKeepingData(store: Backend): Promise<void> {
  return (wrapped.get(store) ?? store).close();
}

/** A query parameter of a store's description (`bullmq:redis://…?prefix=…`): where a test store's data is. */
export function descriptionParam(store: Backend, name: string): string {
  const value = new URL(store.description.replace(/^bullmq:/, "")).searchParams.get(name);
  if (value === null) throw new Error(`${store.description} has no ${name}`);
  return value;
}
