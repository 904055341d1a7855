import { z } from "zod";

/** A text filter: 1 to 200 characters. */
export const optionalText = z.string().min(1).max(200).optional();

/** Query fields shared by list routes. */
export const pageQuery = {
  limit: z.coerce.number<string>().int().min(1).max(500).optional().meta({ description: "Page size, 1 to 500 (default 50)" }),
  cursor: z.string().max(200).optional().meta({ description: "The `nextCursor` of the previous page" }),
};

/** Drops undefined fields, so filters only carry what was asked for. */
export function defined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}
