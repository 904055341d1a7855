/**
 * A redis-server of the test's own, on a free loopback port: killed and started again by the test
 * (the machine's Redis at 127.0.0.1:6379 is never touched). Without persistence by default; with
 * `persistDir`, an append-only file there (`--appendonly yes`), so every acknowledged write
 * survives a kill -9 of the server.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { freePort } from "../fixtures/server.js";

export interface OwnRedis {
  port: number;
  url: string;
  /** SIGKILLs the server; resolves once it has exited. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty unless started with `persistDir`). */
  restart(): Promise<void>;
  /** Stops it for good (call in afterEach). */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

async function launch(port: number, persistDir?: string): Promise<ChildProcess> {
  const persistence = persistDir ? ["--appendonly", "yes", "--dir", persistDir] : ["--appendonly", "no"];
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence], { stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let out = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("Ready to accept connections")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${out}`)));
  });
  return child;
}

/** Starts a redis-server of its own on a free port. */
export async function startOwnRedis(opts: { persistDir?: string } = {}): Promise<OwnRedis> {
  const port = await freePort();
  let child = await launch(port, opts.persistDir);
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await gone;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    kill,
    restart: async () => {
      await kill();
      child = await launch(port, opts.persistDir);
    },
    stop: kill,
  };
}
