import type { FastifyInstance } from "fastify";
import { agentRunRoutes } from "./agent-runs.js";
import { bulkRetryRoutes } from "./bulk-retry.js";
import type { ApiOptions } from "./options.js";
import { statsRoutes } from "./stats.js";
import { streamRoutes } from "./stream.js";

/** The routes the web console reads: `GET /stats`, `GET /stream`, `POST /tasks/retry`, `GET /agent-runs`. */
export async function operatorRoutes(app: FastifyInstance, o: ApiOptions): Promise<void> {
  await app.register(statsRoutes, o);
  await app.register(streamRoutes, o);
  await app.register(bulkRetryRoutes, o);
  await app.register(agentRunRoutes, o);
}
