import type { NewDelivery } from "../store/backend.js";

/** `payload.sender`, each field kept when it is a string (`type` is `"User"`, `"Bot"` or `"Organization"`). */
export interface DeliverySender {
  login?: string;
  type?: string;
}

/**
 * What Hookyard itself reads from a delivery: the event (the `X-GitHub-Event` header) and four
 * fields of its payload. A field is absent when the payload does not carry it with the right type.
 */
export interface DeliveryMeta {
  event: string;
  /** `payload.action`, when it is a string. */
  action?: string;
  /** `owner/name` from `payload.repository.full_name`, when it is a string. */
  repository?: string;
  /** `payload.installation.id`, when it is a whole number from 1 to 2^53 − 1 (anything else names no installation). */
  installation?: number;
  /** `payload.sender`, when it is an object. */
  sender?: DeliverySender;
}

/**
 * A delivery's metadata, read from its payload with one set of checks: ingress stores it, the
 * runner gives handlers an Octokit for its installation and `ctx.isBot` from it. Never throws,
 * whatever the payload's shape (arrays, nulls, numbers as strings).
 *
 * @example
 * ```ts
 * deliveryMeta("issues", { action: "opened", installation: { id: 42 } }); // { event: "issues", action: "opened", installation: 42 }
 * ```
 */
export function deliveryMeta(event: string, payload: unknown): DeliveryMeta {
  const meta: DeliveryMeta = { event };
  const p = objectOrUndefined(payload);
  if (!p) return meta;
  if (typeof p.action === "string") meta.action = p.action;
  const fullName = objectOrUndefined(p.repository)?.full_name;
  if (typeof fullName === "string") meta.repository = fullName;
  const id = objectOrUndefined(p.installation)?.id;
  if (typeof id === "number" && Number.isSafeInteger(id) && id > 0) meta.installation = id;
  const sender = objectOrUndefined(p.sender);
  if (sender) {
    meta.sender = {};
    if (typeof sender.login === "string") meta.sender.login = sender.login;
    if (typeof sender.type === "string") meta.sender.type = sender.type;
  }
  return meta;
}

/** The metadata columns of a stored delivery (absent fields as `null`). */
export function storedMeta(meta: DeliveryMeta): Pick<NewDelivery, "event" | "action" | "repository" | "installationId"> {
  return { event: meta.event, action: meta.action ?? null, repository: meta.repository ?? null, installationId: meta.installation ?? null };
}

/** True when the delivery was sent by a bot (`payload.sender.type === "Bot"`). */
export function sentByBot(meta: DeliveryMeta): boolean {
  return meta.sender?.type === "Bot";
}

function objectOrUndefined(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
