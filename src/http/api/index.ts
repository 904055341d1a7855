import { timingSafeEqual } from "node:crypto";
import type { FastifyError, FastifyInstance, FastifyRequest } from "fastify";
import { HookyardError } from "../../errors.js";
import { httpError, sendError } from "../errors.js";
import { deliveryRoutes } from "./deliveries.js";
import { operatorRoutes } from "./operator.js";
import { taskRoutes } from "./tasks.js";

import type { ApiOptions } from "./options.js";

export type { ApiOptions };

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/** True when the request carries the API token, or comes from loopback when no token is set. */
export function authorized(req: FastifyRequest, token: string | undefined): boolean {
  if (token === undefined) return LOOPBACK.test(req.socket.remoteAddress ?? "");
  const header = req.headers.authorization ?? "";
  const given = Buffer.from(header.startsWith("Bearer ") ? header.slice(7) : "");
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The management API under `/api/v1`: deliveries (list, show, replay), tasks (list, show,
 * retry, cancel, bulk retry), and what the console reads (stats, a change stream, agent runs).
 * JSON in, JSON out, errors as `{"error":{"code","message"}}`.
 */
export async function managementApi(app: FastifyInstance, o: ApiOptions): Promise<void> {
  app.addHook("onRequest", async (req, reply) => {
    if (!authorized(req, o.apiToken) && !(await o.admit?.(req, reply))) {
      const hint = o.apiToken === undefined ? "no HOOKYARD_API_TOKEN is set, so only loopback callers are answered" : "send Authorization: Bearer <HOOKYARD_API_TOKEN>";
      return reply.code(401).send(new HookyardError("HOOKYARD_ERR_API_UNAUTHORIZED", `unauthorized: ${hint}`).toJSON());
    }
  });
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const err = httpError(error, "HOOKYARD_ERR_API_BAD_REQUEST");
    if (err.code === "HOOKYARD_ERR_INTERNAL") req.log.error({ err: error }, "management API request failed");
    return sendError(reply, err);
  });
  await app.register(deliveryRoutes, o);
  await app.register(taskRoutes, o);
  await app.register(operatorRoutes, o);
}
