import { HookyardError } from "../errors.js";

/** The media types GitHub sends deliveries as. */
export type DeliveryMediaType = "application/json" | "application/x-www-form-urlencoded";

/** The media type of a `Content-Type` header, when it is one GitHub uses; otherwise undefined. */
export function mediaType(contentType: string | undefined): DeliveryMediaType | undefined {
  const type = contentType?.split(";")[0]?.trim().toLowerCase();
  return type === "application/json" || type === "application/x-www-form-urlencoded" ? type : undefined;
}

/**
 * Parses a delivery body: JSON, or a form whose `payload` field holds the JSON. The result must be
 * a JSON object; anything else raises `HOOKYARD_ERR_INGRESS_PAYLOAD_INVALID`.
 *
 * @example
 * ```ts
 * parsePayload(body, "application/json"); // { action: "labeled", … }
 * ```
 */
export function parsePayload(body: Uint8Array, type: DeliveryMediaType): Record<string, unknown> {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  let json: string;
  if (type === "application/x-www-form-urlencoded") {
    const field = new URLSearchParams(text).get("payload");
    if (field === null) throw new HookyardError("HOOKYARD_ERR_INGRESS_PAYLOAD_INVALID", "form-encoded delivery has no `payload` field");
    json = field;
  } else {
    json = text;
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new HookyardError("HOOKYARD_ERR_INGRESS_PAYLOAD_INVALID", "the payload is not valid JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new HookyardError("HOOKYARD_ERR_INGRESS_PAYLOAD_INVALID", "the payload must be a JSON object");
  }
  return value as Record<string, unknown>;
}
