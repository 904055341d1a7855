import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { ChangeFeed, type Change } from "./change-feed.js";
import type { ApiOptions } from "./options.js";

/** A comment line this often keeps proxies from closing an idle stream. */
export const HEARTBEAT_MS = 15_000;

/** The `data` of each server-sent event of `GET /stream`; the event's name is its `type`. */
export const streamEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("task"), id: z.string(), name: z.string(), deliveryId: z.string(), state: z.string(), attempt: z.number().int(), error: z.string().optional() }),
  z.object({ type: z.literal("delivery"), id: z.string(), event: z.string(), action: z.string().nullable(), status: z.string(), tasks: z.number().int() }),
  z.object({ type: z.literal("agent"), repo: z.string(), issue: z.number().int(), step: z.string() }),
  z.object({ type: z.literal("counts"), counts: z.record(z.string(), z.number().int()) }),
]);

/** One server-sent event, as written on the wire. */
export function sseFrame(change: Change): string {
  return `event: ${change.type}\ndata: ${JSON.stringify(change)}\n\n`;
}

/**
 * `GET /stream`: server-sent events (`text/event-stream`) carrying task and delivery changes —
 * this process's as they happen, and every process's through a poll of the store's task counts
 * (event `counts`). Streams end when the server closes.
 */
export async function streamRoutes(app: FastifyInstance, o: ApiOptions): Promise<void> {
  const feed = new ChangeFeed(o.store, o.lifecycle);
  const open = new Set<() => void>();
  app.addHook("preClose", async () => {
    for (const end of [...open]) end();
  });
  app.get("/stream", async (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no", connection: "close", "x-request-id": String(req.id) });
    res.write("retry: 3000\n: connected\n\n");
    const off = feed.subscribe((change) => res.write(sseFrame(change)));
    const beat = setInterval(() => res.write(": heartbeat\n\n"), HEARTBEAT_MS);
    beat.unref();
    const end = () => {
      if (!open.delete(end)) return;
      off();
      clearInterval(beat);
      res.end();
    };
    open.add(end);
    res.once("close", end);
  });
}
