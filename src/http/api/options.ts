import type { Backend } from "../../store/backend.js";

/** What the management API's routes are given. */
export interface ApiOptions {
  store: Backend;
  apiToken: string | undefined;
  replay: (deliveryId: string) => Promise<{ delivery: string; tasks: string[] }>;
}
