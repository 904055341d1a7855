/**
 * The chaos harness: rounds of signed deliveries posted to real `hookyard serve` processes while a
 * seeded random generator picks what to kill -9 (the serving process, an ingress, a worker, or the
 * test's own redis-server) and when. Each round ends when every delivery acknowledged so far has
 * run; the time from the restart until then is the round's recovery time. A round that does not
 * recover within its bound is not a hang: the deliveries still missing are counted as lost.
 */
import type { Page, TaskFilter, TaskSummary } from "../../src/store/backend.js";
import { fileLines, fixture, postIssue, startServer, type Server } from "../fixtures/server.js";

/** mulberry32: a small seeded generator, so a failing run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of this run: HOOKYARD_CHAOS_SEED when set (to replay a run), else a fresh one. */
export const CHAOS_SEED = Number(process.env.HOOKYARD_CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));

export interface Role {
  name: string;
  env: Record<string, string>;
  server?: Server;
}

/** Something the round can kill -9 and start again. */
export interface Target {
  name: string;
  kill(): Promise<void>;
  restart(): Promise<void>;
}

export interface ChaosResult {
  backend: string;
  rounds: number;
  kills: string;
  acked: number;
  stored: number;
  run: number;
  lost: number;
  runTwice: number;
  recoveryMaxMs: number;
  seed: number;
}

/** The processes of one backend's run: `ingress` takes the load, all of them run the app. */
export class Fleet {
  readonly app = fixture("sleepy-app.mjs");
  constructor(readonly cwd: string, readonly env: Record<string, string>, readonly roles: Role[]) {}

  async start(): Promise<void> {
    for (const r of this.roles) r.server = await startServer(this.app, this.cwd, { ...this.env, ...r.env });
  }

  /** The process that takes webhook deliveries (the first role). */
  get ingress(): Server | undefined {
    return this.roles[0]!.server;
  }

  /** A kill -9 target for each role. */
  targets(): Target[] {
    return this.roles.map((r) => ({
      name: r.name,
      kill: async () => {
        const s = r.server!;
        r.server = undefined;
        s.child.kill("SIGKILL");
        await s.exited;
      },
      restart: async () => {
        r.server = await startServer(this.app, this.cwd, { ...this.env, ...r.env });
      },
    }));
  }
}

/** Posts signed deliveries on `lanes` lanes, `gapMs` apart, to whatever ingress is up, until stopped. */
export function startLoad(fleet: Fleet, lanes: number, gapMs: number) {
  const acked: string[] = [];
  let stopped = false;
  const lane = async () => {
    while (!stopped) {
      const server = fleet.ingress;
      if (server) {
        try {
          const a = await postIssue(server);
          if (a.status === 202) acked.push(a.id);
        } catch {
          // the process was killed under the request: no answer, so not acknowledged
        }
      }
      await new Promise((r) => setTimeout(r, gapMs)); // pacing of the load, not synchronisation
    }
  };
  const running = Promise.all(Array.from({ length: lanes }, lane));
  return { acked, stop: async () => { stopped = true; await running; } };
}

/** Waits until every id in `acked` has a side effect; resolves with the ids still missing at `timeoutMs`. */
export async function waitRun(sideEffects: string, acked: string[], timeoutMs: number): Promise<string[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const seen = new Set(fileLines(sideEffects));
    const missing = acked.filter((id) => !seen.has(id));
    if (missing.length === 0 || Date.now() > until) return missing;
    await new Promise((r) => setTimeout(r, 100)); // the side effects are another process's file appends
  }
}

/**
 * Rounds of load with one kill -9 at a random moment in each (the targets in a random order, each
 * once per cycle): kill, restart, a little more load, then wait for every acknowledged delivery to
 * run. Recovery time: from the restart until every delivery acknowledged so far has run.
 */
export async function chaosRounds(opts: {
  backend: string; fleet: Fleet; targets: Target[]; rounds: number; sideEffects: string;
  storedIds: () => Promise<Set<string>>; recoveryBoundMs: number;
}): Promise<ChaosResult> {
  const rnd = seededRandom(CHAOS_SEED ^ hash(opts.backend));
  const kills: string[] = [];
  const acked: string[] = [];
  let recoveryMaxMs = 0;
  let lost: string[] = [];
  const order = [...opts.targets];
  for (let round = 0; round < opts.rounds; round++) {
    const load = startLoad(opts.fleet, 2, 25);
    if (round % opts.targets.length === 0) shuffle(order, rnd); // every target is killed once per cycle
    const target = order[round % order.length]!;
    await new Promise((r) => setTimeout(r, 300 + Math.floor(rnd() * 1200))); // the random moment
    kills.push(target.name);
    await target.kill();
    await target.restart();
    const restartedAt = Date.now();
    await new Promise((r) => setTimeout(r, 200 + Math.floor(rnd() * 600))); // load after the restart
    await load.stop();
    acked.push(...load.acked);
    lost = await waitRun(opts.sideEffects, acked, opts.recoveryBoundMs);
    recoveryMaxMs = Math.max(recoveryMaxMs, Date.now() - restartedAt);
    if (lost.length > 0) break;
  }
  const lines = fileLines(opts.sideEffects);
  const counts = new Map<string, number>();
  for (const id of lines) counts.set(id, (counts.get(id) ?? 0) + 1);
  const stored = await opts.storedIds();
  return {
    backend: opts.backend, rounds: kills.length, kills: kills.join(","), acked: acked.length,
    stored: acked.filter((id) => stored.has(id)).length,
    run: acked.filter((id) => counts.has(id)).length, lost: lost.length,
    runTwice: acked.filter((id) => (counts.get(id) ?? 0) > 1).length, recoveryMaxMs, seed: CHAOS_SEED,
  };
}

/** Every delivery id with a task in `store` (all pages; a Backend or the SQLite read queries). */
export async function storedDeliveryIds(store: { listTasks(f: TaskFilter): Promise<Page<TaskSummary>> | Page<TaskSummary> }): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await store.listTasks({ limit: 500, cursor });
    for (const t of page.items) ids.add(t.deliveryId);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

function shuffle<T>(xs: T[], rnd: () => number): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
}

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return h;
}
