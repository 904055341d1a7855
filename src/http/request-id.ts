import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { FastifyInstance } from "fastify";
import { DELIVERY_ID } from "../ingress/headers.js";

/** Request ids taken from a caller's `x-request-id`: 1 to 128 safe characters. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Fastify's `genReqId`: the correlation id of a request. On the webhook path, the
 * `X-GitHub-Delivery` (when well-formed), so the ingress lines carry the same id as the delivery's
 * task lines; elsewhere the caller's `x-request-id` when safe, else a new UUID.
 *
 * @example
 * ```ts
 * Fastify({ genReqId: requestIdOf("/api/github/webhooks"), requestIdLogLabel: "requestId" });
 * ```
 */
export function requestIdOf(webhookPath: string): (req: IncomingMessage) => string {
  return (req) => {
    const delivery = req.headers["x-github-delivery"];
    if (typeof delivery === "string" && DELIVERY_ID.test(delivery) && (req.url ?? "").split("?")[0] === webhookPath) return delivery;
    const given = req.headers["x-request-id"];
    return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
  };
}

/**
 * Echoes each request's id in the `x-request-id` answer header, and logs one info line per
 * management API call (method, route, status, ms) carrying it.
 *
 * @example
 * ```ts
 * requestIds(fastify, "/api/v1/");
 * ```
 */
export function requestIds(fastify: FastifyInstance, apiPrefix: string): void {
  fastify.addHook("onSend", async (req, reply) => {
    reply.header("x-request-id", req.id);
  });
  fastify.addHook("onResponse", async (req, reply) => {
    if (!req.url.startsWith(apiPrefix)) return;
    req.log.info({ method: req.method, route: req.routeOptions.url ?? "unknown", status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, "api request");
  });
}
