import type { FastifyReply, FastifyRequest } from "fastify";
import type { Lifecycle } from "../../observability/lifecycle.js";
import type { Backend } from "../../store/backend.js";

/** What the management API's routes are given. */
export interface ApiOptions {
  store: Backend;
  apiToken: string | undefined;
  replay: (deliveryId: string) => Promise<{ delivery: string; tasks: string[] }>;
  /** The app's lifecycle events, which `GET /stream` forwards. */
  lifecycle?: Lifecycle;
  /**
   * A second way in for a request without the token (the console's GitHub login): resolves true
   * to admit it, false to refuse it as unauthorized; throws a `HookyardError` to answer that.
   */
  admit?: (req: FastifyRequest, reply: FastifyReply) => Promise<boolean>;
  /** GitHub's web address, for links in answers (pull requests). */
  webUrl?: string;
}
