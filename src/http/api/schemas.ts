import { z } from "zod";
import { TASK_STATES } from "../../store/backend.js";

/**
 * The management API's shapes, as zod schemas: each route's `schema` uses them, so they validate
 * requests, check answers, and are the OpenAPI document (`/api/v1/openapi.json`). A schema with a
 * `meta({ id })` is a named component of the document.
 */

const time = z.string().meta({ format: "date-time", description: "ISO 8601 time (UTC)", example: "2026-01-01T12:00:00.000Z" });
const nullable = <T extends z.ZodType>(s: T) => s.nullable();

/** `{ "error": { "code", "message" } }`: every error answer. */
export const ErrorAnswer = z.object({
  error: z.object({
    code: z.string().meta({ description: "A stable `HOOKYARD_ERR_…` code (docs/reference/errors.md)", example: "HOOKYARD_ERR_API_NOT_FOUND" }),
    message: z.string(),
  }),
}).meta({ id: "Error", description: "Every error answer, with a stable code" });

export const ErrorRecord = z.object({ message: z.string(), code: z.string().optional(), stack: z.string().optional() }).meta({ id: "ErrorRecord" });

export const Task = z.object({
  id: z.string(),
  name: z.string().meta({ description: "The handler's stable name" }),
  deliveryId: z.string(),
  event: z.string(),
  action: nullable(z.string()),
  repository: nullable(z.string()).meta({ description: "owner/name" }),
  state: z.enum(TASK_STATES),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  runAt: time,
  createdAt: time,
  updatedAt: time,
  lastError: nullable(z.object({ message: z.string(), code: z.string().optional() })).meta({ description: "The last failed attempt's error (no stack in lists)" }),
}).meta({ id: "Task" });

export const Attempt = z.object({
  attempt: z.number().int(),
  startedAt: time,
  endedAt: nullable(time),
  outcome: z.enum(["running", "completed", "retrying", "failed", "interrupted", "lost", "cancelled"]),
  error: nullable(ErrorRecord),
}).meta({ id: "Attempt" });

export const TaskDetail = Task.extend({
  lastError: nullable(ErrorRecord),
  backoff: z.object({
    type: z.enum(["exponential", "linear", "fixed", "fibonacci"]),
    delay: z.number().meta({ description: "Base delay in ms" }),
    maxDelay: z.number(),
    jitter: z.enum(["full", "none"]),
  }),
  timeoutMs: z.number().int(),
  attemptLog: z.array(Attempt),
}).meta({ id: "TaskDetail" });

export const Delivery = z.object({
  id: z.string().meta({ description: "GitHub's X-GitHub-Delivery" }),
  event: z.string(),
  action: nullable(z.string()),
  repository: nullable(z.string()),
  installationId: nullable(z.number().int()),
  status: z.enum(["accepted", "ignored"]),
  receivedAt: time,
}).meta({ id: "Delivery" });

export const DeliveryDetail = Delivery.extend({
  headers: z.record(z.string(), z.string()).meta({ description: "The delivery's headers; signatures `[redacted]`" }),
  contentType: z.string(),
  size: z.number().int().meta({ description: "Body size in bytes" }),
  payload: z.unknown().meta({ description: "The parsed payload (null when it does not parse)" }),
  tasks: z.array(Task),
}).meta({ id: "DeliveryDetail" });

/** A page of `item`, newest first, with the cursor of the next page. */
export function pageOf<T extends z.ZodType>(item: T, id: string) {
  return z.object({
    items: z.array(item),
    nextCursor: nullable(z.string()).meta({ description: "Pass back as `cursor` for the next page; null on the last page" }),
  }).meta({ id });
}

export const Replayed = z.object({ delivery: z.string(), tasks: z.array(z.string()).meta({ description: "The new tasks' ids" }) }).meta({ id: "Replayed" });

/** `:id` in a path. */
export const IdParams = z.object({ id: z.string().min(1).meta({ example: "example-id" }) });

/** The error answers every management route may give. */
export const API_ERRORS = { 400: ErrorAnswer, 401: ErrorAnswer } as const;

/** What every management route's schema carries: a tag and the bearer token. */
export const API_ROUTE = { security: [{ bearer: [] }] } as const;
