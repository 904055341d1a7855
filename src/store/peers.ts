import { HookyardError } from "../errors.js";

/** The optional peer dependencies: installed by the user only for the stores that need them. */
export type OptionalPeer = "bullmq" | "ioredis" | "pg";

const loaders: Record<OptionalPeer, () => Promise<unknown>> = {
  bullmq: () => import("bullmq"),
  ioredis: () => import("ioredis"),
  pg: () => import("pg"),
};

/**
 * Checks that the optional packages `use` needs are installed, before any module that imports them
 * statically is loaded; a missing one is `HOOKYARD_ERR_STORE_DRIVER_MISSING` naming the install
 * command. Each is imported here once: Node's module cache makes the later static import free.
 *
 * @example
 * ```ts
 * await requirePeers(["bullmq", "ioredis"], "HOOKYARD_STORE=redis://…");
 * ```
 */
export async function requirePeers(peers: readonly OptionalPeer[], use: string): Promise<void> {
  const missing: OptionalPeer[] = [];
  for (const peer of peers) {
    try {
      await loaders[peer]();
    } catch (err) {
      if (!isMissing(err, peer)) throw err;
      missing.push(peer);
    }
  }
  if (missing.length > 0) {
    throw new HookyardError("HOOKYARD_ERR_STORE_DRIVER_MISSING", `${use} needs the optional package${missing.length > 1 ? "s" : ""} ${missing.join(" and ")}: run \`npm install ${missing.join(" ")}\``);
  }
}

/** Loads ioredis (an optional peer) for a feature other than the store, e.g. the token cache on REDIS_URL. */
export async function loadIoredis(use: string): Promise<typeof import("ioredis").Redis> {
  await requirePeers(["ioredis"], use);
  return (await import("ioredis")).Redis;
}

function isMissing(err: unknown, peer: string): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return (e.code === "ERR_MODULE_NOT_FOUND" || e.code === "MODULE_NOT_FOUND") && typeof e.message === "string" && e.message.includes(`'${peer}'`);
}
