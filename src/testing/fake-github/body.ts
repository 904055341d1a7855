import type { FastifyRequest } from "fastify";
import { GitHubApiError, missingField } from "./errors.js";

/** The request body as an object (`{}` when empty). */
export function bodyOf(req: FastifyRequest): Record<string, unknown> {
  const b = req.body;
  if (b === undefined || b === null || b === "") return {};
  if (typeof b === "object" && !Array.isArray(b)) return b as Record<string, unknown>;
  throw new GitHubApiError(400, "Problems parsing JSON");
}

/** An optional string field; a present non-string is GitHub's 422. */
export function optString(body: Record<string, unknown>, key: string, doc?: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new GitHubApiError(422, `Invalid request.\n\nFor '${key}', ${JSON.stringify(v)} is not a string.`, doc === undefined ? {} : { documentationUrl: doc });
  return v;
}

/** A required string field: missing is `"key" wasn't supplied.` as GitHub says. */
export function reqString(body: Record<string, unknown>, key: string, doc?: string): string {
  const v = optString(body, key, doc);
  if (v === undefined) throw missingField(key, doc);
  return v;
}

/** An optional array of strings (label names, repository names). */
export function optStringArray(body: Record<string, unknown>, key: string, doc?: string): string[] | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new GitHubApiError(422, `Invalid request.\n\nFor '${key}', ${JSON.stringify(v)} is not an array.`, doc === undefined ? {} : { documentationUrl: doc });
  return v.map((x) => (typeof x === "object" && x !== null && "name" in x ? String((x as { name: unknown }).name) : String(x)));
}

/** A path or query parameter that must be a positive integer, else 404 as GitHub answers. */
export function intParam(value: unknown): number | undefined {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}
