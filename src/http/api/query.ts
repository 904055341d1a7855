import { z } from "zod";
import { HookyardError } from "../../errors.js";

const optionalText = z.string().min(1).max(200).optional();

/** Query fields shared by list routes. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().max(200).optional(),
};

export { optionalText };

/** Parses a query with `schema`, answering `HOOKYARD_ERR_API_BAD_REQUEST` with the first problem. */
export function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.infer<T> {
  const result = schema.safeParse(query);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new HookyardError("HOOKYARD_ERR_API_BAD_REQUEST", `invalid query parameter ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`);
  }
  return result.data;
}

/** Drops undefined fields, so filters only carry what was asked for. */
export function defined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}
