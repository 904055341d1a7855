import { randomUUID } from "node:crypto";

/**
 * A new task id: a UUID in version 7 layout (milliseconds since the epoch in the first 48 bits,
 * then random bits). Ids made close in time sort close together, so a store's indexes on them
 * grow at one end instead of touching a random page for every new task.
 *
 * @example
 * ```ts
 * taskId(); // "0193a7c2-5f1e-7b3a-9d41-8c2e0f6b1a27"
 * ```
 */
export function taskId(now = Date.now()): string {
  const time = now.toString(16).padStart(12, "0");
  const random = randomUUID(); // xxxxxxxx-xxxx-4xxx-Nxxx-xxxxxxxxxxxx
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15)}`;
}
