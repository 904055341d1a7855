import { HookyardError } from "../errors.js";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./backend.js";

/** Opaque cursor for keyset pagination over a store's insertion sequence (newest first). */
export function encodeCursor(seq: number): string {
  return Buffer.from(`s${seq}`).toString("base64url");
}

/** Decodes a cursor; `HOOKYARD_ERR_STORE_QUERY_INVALID` when it was not made by {@link encodeCursor}. */
export function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined || cursor === "") return undefined;
  const text = Buffer.from(cursor, "base64url").toString();
  const match = /^s(\d{1,15})$/.exec(text);
  if (!match) throw new HookyardError("HOOKYARD_ERR_STORE_QUERY_INVALID", "invalid cursor");
  return Number(match[1]);
}

/** Clamps a requested page size to [1, MAX_PAGE_SIZE]. */
export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1) throw new HookyardError("HOOKYARD_ERR_STORE_QUERY_INVALID", "limit must be a whole number ≥ 1");
  return Math.min(limit, MAX_PAGE_SIZE);
}
